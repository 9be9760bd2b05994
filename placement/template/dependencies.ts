/**
 * Dependencies follow their workload: the ConfigMaps, Secrets, ServiceAccounts and
 * PersistentVolumeClaims a pod template references are placed on every cluster that runs a
 * workload referencing them (the union over workloads). StatefulSet volumeClaimTemplates are part
 * of the StatefulSet itself and travel with it.
 */
import type { KubeObject, ObjectRef } from '../types.js';
import { allContainers, asObject, asObjects, asString, type JsonObject, podSpecOf } from './pod-spec.js';

type DependencyKind = 'ConfigMap' | 'Secret' | 'ServiceAccount' | 'PersistentVolumeClaim';

/** Kinds that follow the workloads referencing them (core/v1). */
export const DEPENDENCY_KINDS: ReadonlySet<string> = new Set<DependencyKind>([
  'ConfigMap',
  'Secret',
  'ServiceAccount',
  'PersistentVolumeClaim',
]);

function collectFromVolumes(pod: JsonObject, add: (kind: DependencyKind, name: unknown) => void): void {
  for (const v of asObjects(pod.volumes)) {
    add('ConfigMap', asObject(v.configMap)?.name);
    add('Secret', asObject(v.secret)?.secretName);
    add('PersistentVolumeClaim', asObject(v.persistentVolumeClaim)?.claimName);
    for (const s of asObjects(asObject(v.projected)?.sources)) {
      add('ConfigMap', asObject(s.configMap)?.name);
      add('Secret', asObject(s.secret)?.name);
    }
  }
}

function collectFromContainers(pod: JsonObject, add: (kind: DependencyKind, name: unknown) => void): void {
  for (const c of allContainers(pod)) {
    for (const e of asObjects(c.env)) {
      const from = asObject(e.valueFrom);
      add('ConfigMap', asObject(from?.configMapKeyRef)?.name);
      add('Secret', asObject(from?.secretKeyRef)?.name);
    }
    for (const e of asObjects(c.envFrom)) {
      add('ConfigMap', asObject(e.configMapRef)?.name);
      add('Secret', asObject(e.secretRef)?.name);
    }
  }
}

/** The objects a workload's pod template references, sorted by kind then name, without duplicates. */
export function referencedDependencies(manifest: KubeObject): ObjectRef[] {
  const pod = podSpecOf(manifest);
  if (pod === undefined) return [];
  const namespace = asString(manifest.metadata.namespace) ?? 'default';
  const seen = new Map<string, ObjectRef>();
  const add = (kind: DependencyKind, name: unknown): void => {
    const n = asString(name);
    if (n === undefined) return;
    seen.set(`${kind}/${n}`, { apiVersion: 'v1', kind, namespace, name: n });
  };
  collectFromVolumes(pod, add);
  collectFromContainers(pod, add);
  for (const s of asObjects(pod.imagePullSecrets)) add('Secret', s.name);
  const sa = asString(pod.serviceAccountName) ?? asString(pod.serviceAccount);
  if (sa !== undefined && sa !== 'default') add('ServiceAccount', sa);
  return [...seen.values()].sort((a, b) => (a.kind === b.kind ? cmp(a.name, b.name) : cmp(a.kind, b.kind)));
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A workload and where it was placed. */
export interface PlacedWorkload {
  manifest: KubeObject;
  clusters: readonly (string | { name: string })[];
  /** The winning policy's propagateDependencies (default true). */
  propagateDependencies?: boolean;
}

/** Where one dependency goes, and which workloads pull it there. */
export interface DependencyPlacement {
  ref: ObjectRef;
  clusters: string[];
  requiredBy: ObjectRef[];
}

/** One dependency and the workloads that reference it, each with where it runs. */
export interface DependencyReferrers {
  ref: ObjectRef;
  referrers: { owner: ObjectRef; clusters: string[] }[];
}

/**
 * The dependencies the workloads reference, keyed `namespace/kind/name` and sorted by that key,
 * each with the workloads that take it along (not those whose policy opts out) in input order.
 */
export function dependencyReferrers(workloads: readonly PlacedWorkload[]): Map<string, DependencyReferrers> {
  const out = new Map<string, DependencyReferrers>();
  for (const w of workloads) {
    if (w.propagateDependencies === false) continue;
    const owner: ObjectRef = {
      apiVersion: w.manifest.apiVersion,
      kind: w.manifest.kind,
      namespace: asString(w.manifest.metadata.namespace) ?? 'default',
      name: w.manifest.metadata.name,
    };
    const clusters = w.clusters.map((c) => (typeof c === 'string' ? c : c.name));
    for (const ref of referencedDependencies(w.manifest)) {
      const key = `${ref.namespace}/${ref.kind}/${ref.name}`;
      let d = out.get(key);
      if (d === undefined) {
        d = { ref, referrers: [] };
        out.set(key, d);
      }
      d.referrers.push({ owner, clusters });
    }
  }
  return new Map([...out.entries()].sort(([a], [b]) => cmp(a, b)));
}

/** Places every dependency on the union of the clusters of the workloads that reference it. */
export function placeDependencies(workloads: readonly PlacedWorkload[]): DependencyPlacement[] {
  return [...dependencyReferrers(workloads).values()].map((d) => ({
    ref: d.ref,
    clusters: [...new Set(d.referrers.flatMap((r) => r.clusters))].sort(),
    requiredBy: d.referrers.map((r) => r.owner),
  }));
}
