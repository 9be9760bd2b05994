import { runConformanceSuite } from '../conformance/suite.js';
import { azureFixture } from './fixture.js';

runConformanceSuite(azureFixture);
