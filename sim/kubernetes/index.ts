/** Public surface of the Kubernetes API server simulator. */
export type { FaultControls, FaultState, InjectedErrorKind } from './faults.js';
export type { NodeSpec, Taint } from './nodes.js';
export {
  formatBytes,
  formatCpuMillis,
  parseBytes,
  parseCpuMillis,
  parseQuantity,
  QuantityError,
} from './quantity.js';
export type { ResourceInfo } from './resources.js';
export { BUILTIN_RESOURCES } from './resources.js';
export type { NodeUsage, PodRequests } from './scheduler-sim.js';
export type { KubeSim, KubeSimProps } from './server.js';
export { startKubeSim } from './server.js';
export type {
  GroupVersionResource,
  KubeObject,
  ManagedFieldsEntry,
  ObjectMeta,
  OwnerReference,
} from './types.js';
