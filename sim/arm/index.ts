/** The ARM simulator: start one with `startArmSim`, seed it with `sim.seed`. */
export { DEFAULT_REGIONS, type SimRegion, type SimVmSize, VM_SIZES } from './catalogue.js';
export type { ArmFaultState, ArmFaultSwitches } from './faults.js';
export type { ArmResource } from './model.js';
export type { SeedAksCluster, SeededAksCluster, SeedNodePool } from './seed.js';
export { type ArmSim, type ArmSimOptions, startArmSim } from './server.js';
