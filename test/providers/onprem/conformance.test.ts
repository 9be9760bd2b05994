import { runConformanceSuite } from '../conformance/suite.js';
import { onpremFixture } from './fixture.js';

runConformanceSuite(onpremFixture);
