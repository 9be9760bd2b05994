import { runConformanceSuite } from '../conformance/suite.js';
import { awsFixture } from './fixture.js';

runConformanceSuite(awsFixture);
