/** Test fixtures for the placement engine: clusters, templates and policies in a few lines. */
import {
  type ClusterSnapshot,
  type PlacementPolicySpec,
  type PlacementPolicySpecInput,
  type PolicyInfo,
  placementPolicySpecSchema,
  type TemplateInfo,
} from '../../placement/index.js';

/** A cluster with sensible defaults. */
export function cluster(name: string, over: Partial<ClusterSnapshot> = {}): ClusterSnapshot {
  return {
    name,
    provider: 'aws',
    region: 'eu-central-1',
    labels: {},
    taints: [],
    ready: true,
    ...over,
  };
}

/** A Deployment-like template. */
export function template(over: Partial<TemplateInfo> = {}): TemplateInfo {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    namespace: 'shop',
    name: 'web',
    labels: { app: 'web' },
    replicas: 3,
    dataBearing: false,
    ...over,
  };
}

/** Parses a policy spec (defaults applied), selecting every apps/v1 Deployment unless told otherwise. */
export function spec(input: Partial<PlacementPolicySpecInput> = {}): PlacementPolicySpec {
  return placementPolicySpecSchema.parse({
    resourceSelectors: [{ apiVersion: 'apps/v1', kind: 'Deployment' }],
    ...input,
  });
}

/** A named policy. */
export function policy(name: string, input: Partial<PlacementPolicySpecInput> = {}): PolicyInfo {
  return { name, spec: spec(input) };
}

/** Capacity figures for a cluster. */
export function capacity(
  cpuMilli: number,
  memoryBytes = 64 * 2 ** 30,
  pods = 110,
): ClusterSnapshot['available'] {
  return { cpuMilli, memoryBytes, pods };
}

export const NOW = Date.parse('2026-01-01T00:00:00Z');
