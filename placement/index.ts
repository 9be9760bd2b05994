/**
 * fedgate placement engine — public API. Pure functions, no I/O: the control plane, `simulate`,
 * `explain` and the tests all run this same code. See placement/README.md.
 */

export {
  type BindingDecision,
  type BindingInput,
  type BindingPlacement,
  decideBinding,
  keptOnFailure,
  type Referrer,
} from './binding/decide.js';
export { type ClusterChange, type DiffContext, diffPlacements, type PlacementDiff } from './diff.js';
export { buildExplanation, emptyExplanation } from './explain/build.js';
export { explainCluster, formatExplanation, pricesText, residencyText } from './explain/format.js';
export { type PriceSource, priceSource, priceText } from './explain/prices.js';
export type {
  AffinityTermOutcome,
  ClusterExplanation,
  Explanation,
  FeasibleCluster,
  PolicyCandidate,
  RejectedGroup,
  SpreadOutcome,
  StabilityOutcome,
} from './explain/types.js';
export type { ZoneCapacity } from './fleet/inventory.js';
export {
  type CopyReport,
  DEFAULT_UNSCHEDULABLE_SECONDS,
  type Descheduled,
  descheduled,
  inFlight,
  type PlacedCopy,
} from './fleet/reservations.js';
export {
  buildFleetSnapshot,
  type ClusterEntry,
  type FleetSnapshot,
  type FleetSnapshotOptions,
  isFleetSnapshot,
  JURISDICTION_LABEL,
  replicaCapacity,
  taintToString,
} from './fleet/snapshot.js';
export {
  createRegistry,
  defineScorePlugin,
  type Registry,
  selectPlugins,
  withPlugin,
} from './framework/registry.js';
export type {
  DecisionContext,
  FilterPlugin,
  FilterVerdict,
  Rejection,
  ScorePlugin,
} from './framework/types.js';
export type { CostModel, CostOverrides, GeoPoint, Provider, RegionRef } from './model-types.js';
export { defaultCostModel, PROVIDERS } from './model-types.js';
export { formatImage, type ImageRef, parseImage, rewriteImage } from './overrides/image.js';
export { applyJsonPatch, JsonPatchError, type JsonPatchOperation } from './overrides/json-patch.js';
export { matchingOverrides, renderForCluster } from './overrides/render.js';
export { defaultRegistry } from './plugins/index.js';
export {
  type CompiledPolicy,
  compilePolicy,
  compilePolicyCached,
  DEFAULT_FAILOVER_SECONDS,
  DEFAULT_MIN_SCORE_GAIN,
  NOT_READY_TAINT,
  UNREACHABLE_TAINT,
} from './policy/compile.js';
export { type PolicySelection, selectPolicy } from './policy/precedence.js';
export {
  type ClusterSelectorTerm,
  type LabelSelector,
  type OverrideRule,
  type PlacementPolicySpec,
  type PlacementPolicySpecInput,
  placementPolicySpecSchema,
  type ResourceSelector,
  type SpreadConstraint,
  type Toleration,
} from './policy/schema.js';
export { compileLabelSelector } from './policy/selectors.js';
export { type NoExecuteVerdict, noExecuteVerdict, tolerates } from './policy/toleration.js';
export { fleetSnapshotOf, type ScheduleOptions, schedule } from './schedule/schedule.js';
export {
  type ConstraintViolation,
  type CurrentPlacement,
  mergePolicies,
  type PlacementStatus,
  type SideOutcome,
  simulate,
  type TemplateWhatIf,
  type WhatIfOptions,
  type WhatIfProposal,
  type WhatIfResult,
  type WhatIfState,
  type WhatIfTotals,
} from './simulate/what-if.js';
export {
  DEPENDENCY_KINDS,
  type DependencyPlacement,
  type DependencyReferrers,
  dependencyReferrers,
  type PlacedWorkload,
  placeDependencies,
  referencedDependencies,
} from './template/dependencies.js';
export { DATA_BEARING_ANNOTATION, templateInfoFromManifest } from './template/info.js';
export { parseCpuMilli, parseMemoryBytes, parseQuantity, QuantityError } from './template/quantity.js';
export type {
  ClusterSnapshot,
  Eviction,
  InstanceGroup,
  KubeObject,
  ObjectMeta,
  ObjectRef,
  PolicyInfo,
  PreviousPlacement,
  ResourceAmounts,
  ScheduleInput,
  ScheduleResult,
  Taint,
  TargetCluster,
  TemplateInfo,
  UnschedulableReason,
} from './types.js';
export { SERVER_OWNED_METADATA } from './types.js';
