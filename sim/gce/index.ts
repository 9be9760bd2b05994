/** The GCE (Compute Engine v1 REST) simulator. */
export type { GceFaults } from './faults.js';
export type { SeedNodePool, SeedProject } from './seed.js';
export { DEFAULT_REGIONS } from './seed.js';
export type { GceSim, GceSimProps } from './server.js';
export { startGceSim } from './server.js';
