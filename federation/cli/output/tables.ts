import type { KubeObject } from '../../resources/kube-object.js';
import type { ResolvedKind } from '../kinds.js';
import { CLOUD_INVENTORY_COLUMNS } from './cloud-columns.js';
import { age, type Column, cell, field, formatLabels } from './format.js';
import { peeringColumns } from './peering-columns.js';

const name: Column<KubeObject> = { header: 'NAME', value: (o) => o.metadata.name };
const namespace: Column<KubeObject> = { header: 'NAMESPACE', value: (o) => o.metadata.namespace ?? '' };
const ageCol: Column<KubeObject> = { header: 'AGE', value: (o) => age(o.metadata.creationTimestamp) };
const labels: Column<KubeObject> = { header: 'LABELS', value: (o) => formatLabels(o.metadata.labels) };

/** The columns `fedgate get` shows for a kind (`wide` adds detail). */
export function columnsFor(kind: ResolvedKind, wide: boolean): Column<KubeObject>[] {
  const nsCols = kind.scope === 'Namespaced' ? [namespace] : [];
  switch (kind.typeKey) {
    case 'MemberCluster.v1alpha1.fedgate.dev':
      return [
        name,
        { header: 'PROVIDER', value: (o) => cell(field(o, 'spec', 'provider')) },
        { header: 'REGION', value: (o) => cell(field(o, 'spec', 'region')) },
        { header: 'READY', value: (o) => conditionStatus(o, 'Ready') },
        ageCol,
        ...(wide
          ? [
              { header: 'ZONE', value: (o: KubeObject) => cell(field(o, 'spec', 'zone')) },
              { header: 'NODES', value: (o: KubeObject) => cell(field(o, 'status', 'nodes')) },
              { header: 'CPU', value: (o: KubeObject) => cpu(field(o, 'status', 'allocatable', 'cpuMilli')) },
              {
                header: 'MEMORY',
                value: (o: KubeObject) => memory(field(o, 'status', 'allocatable', 'memoryBytes')),
              },
              ...CLOUD_INVENTORY_COLUMNS,
            ]
          : []),
      ];
    case 'PlacementPolicy.v1alpha1.fedgate.dev':
      return [
        name,
        { header: 'PRIORITY', value: (o) => cell(field(o, 'spec', 'priority') ?? 0) },
        ageCol,
        ...(wide ? [labels] : []),
      ];
    case 'Peering.v1alpha1.fedgate.dev':
      return peeringColumns(name, ageCol, wide);
    case 'Binding.v1alpha1.fedgate.dev':
      return [
        ...nsCols,
        name,
        {
          header: 'RESOURCE',
          value: (o) =>
            `${cell(field(o, 'spec', 'resource', 'kind'))}/${cell(field(o, 'spec', 'resource', 'name'))}`,
        },
        { header: 'POLICY', value: (o) => cell(field(o, 'spec', 'policy')) },
        { header: 'CLUSTERS', value: (o) => bindingClusters(o) },
        { header: 'READY', value: (o) => bindingReady(o) },
        ageCol,
        ...(wide ? [{ header: 'DRIFT', value: (o: KubeObject) => bindingDrift(o) }] : []),
      ];
    default:
      if (isReplicated(kind)) {
        return [
          name,
          ...nsCols,
          { header: 'REPLICAS', value: (o) => cell(field(o, 'spec', 'replicas') ?? 1) },
          ageCol,
          ...(wide ? [labels] : []),
        ];
      }
      return [name, ...nsCols, ageCol, ...(wide ? [labels] : [])];
  }
}

function isReplicated(kind: ResolvedKind): boolean {
  return ['Deployment', 'StatefulSet', 'ReplicaSet'].includes(kind.kind);
}

/** `True`/`False`/`Unknown` of a condition, from `status.conditions`. */
export function conditionStatus(o: KubeObject, type: string): string {
  const conds = field(o, 'status', 'conditions');
  if (!Array.isArray(conds)) return 'Unknown';
  const c = conds.find((x) => field(x, 'type') === type);
  return c === undefined ? 'Unknown' : cell(field(c, 'status'));
}

function bindingClusters(o: KubeObject): string {
  const cs = field(o, 'spec', 'clusters');
  if (!Array.isArray(cs) || cs.length === 0) return '<none>';
  return cs
    .map((c) => {
      const r = field(c, 'replicas');
      return typeof r === 'number' ? `${cell(field(c, 'name'))}(${r})` : cell(field(c, 'name'));
    })
    .join(',');
}

/** `applied/targets` of a Binding, from its merged per-cluster status. */
export function bindingReady(o: KubeObject): string {
  const targets = field(o, 'spec', 'clusters');
  const total = Array.isArray(targets) ? targets.length : 0;
  const statuses = field(o, 'status', 'clusters');
  const applied = Array.isArray(statuses)
    ? statuses.filter((s) => field(s, 'phase') === 'Applied').length
    : 0;
  return `${applied}/${total}`;
}

/** The clusters where drift was found, with what became of it (`<none>` without any). */
export function bindingDrift(o: KubeObject): string {
  const statuses = field(o, 'status', 'clusters');
  const drifted = Array.isArray(statuses)
    ? statuses.filter((s) => Array.isArray(field(s, 'drift', 'paths')))
    : [];
  if (drifted.length === 0) return '<none>';
  return drifted
    .map(
      (s) => `${cell(field(s, 'cluster'))}(${field(s, 'drift', 'restored') === true ? 'restored' : 'left'})`,
    )
    .join(',');
}

function cpu(milli: unknown): string {
  return typeof milli === 'number' ? `${Math.round(milli / 100) / 10}` : '<none>';
}

function memory(bytes: unknown): string {
  return typeof bytes === 'number' ? `${Math.round((bytes / 2 ** 30) * 10) / 10}Gi` : '<none>';
}
