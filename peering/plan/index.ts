export { allocateBlocks, CidrError, type CidrRange, overlaps, parseCidr } from './cidr.js';
export { PeeringPlanError } from './errors.js';
export { findOverlaps } from './overlaps.js';
export { planPeering } from './plan.js';
export type * from './types.js';
