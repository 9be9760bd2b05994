import { runConformanceSuite } from '../conformance/suite.js';
import { gcpFixture } from './fixture.js';

runConformanceSuite(gcpFixture());
