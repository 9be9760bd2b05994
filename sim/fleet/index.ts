/** Public surface of the simulated fleet. */
export type { Fleet, RunningCluster, StartFleetOptions } from './start-fleet.js';
export { startFleet } from './start-fleet.js';
export type { SyntheticFleetOptions } from './synthetic.js';
export { syntheticFleet } from './synthetic.js';
export type { ClusterNetwork, ClusterTopology, FleetTopology, InstanceShape, Provider } from './topology.js';
export { DEFAULT_FLEET, INSTANCE_SHAPES, makeNodes, networkFor } from './topology.js';
