/**
 * renderForCluster: the manifest one cluster receives. Sets the scheduled replicas, then applies,
 * in policy order, every override whose clusterSelector matches the cluster: image, replicas, env,
 * resources, labels/annotations (null removes), and finally the JSON patch. Overrides come after
 * scheduling, so an explicit `replicas` override wins over the scheduled split for that cluster.
 * Never mutates its input.
 */
import { type CompiledClusterTerm, compileClusterTerm } from '../policy/cluster-term.js';
import type { OverrideRule, PlacementPolicySpec } from '../policy/schema.js';
import { allContainers, asObject, type JsonObject, podSpecOf, REPLICA_FIELD } from '../template/pod-spec.js';
import type { ClusterSnapshot, KubeObject } from '../types.js';
import { rewriteImage } from './image.js';
import { applyJsonPatch } from './json-patch.js';

const compiled = new WeakMap<PlacementPolicySpec, { term: CompiledClusterTerm; rule: OverrideRule }[]>();

function overridesOf(spec: PlacementPolicySpec): { term: CompiledClusterTerm; rule: OverrideRule }[] {
  let list = compiled.get(spec);
  if (list === undefined) {
    list = (spec.overrides ?? []).map((rule) => ({ term: compileClusterTerm(rule.clusterSelector), rule }));
    compiled.set(spec, list);
  }
  return list;
}

/** The override rules of a policy that apply to a cluster, in policy order. */
export function matchingOverrides(
  spec: PlacementPolicySpec | undefined,
  cluster: ClusterSnapshot,
): OverrideRule[] {
  if (spec === undefined) return [];
  return overridesOf(spec)
    .filter((o) => o.term.check(cluster) === undefined)
    .map((o) => o.rule);
}

function targets(pod: JsonObject | undefined, names: readonly string[] | undefined): JsonObject[] {
  if (pod === undefined) return [];
  const all = allContainers(pod);
  return names === undefined ? all : all.filter((c) => typeof c.name === 'string' && names.includes(c.name));
}

function setReplicas(m: KubeObject, replicas: number): void {
  const field = REPLICA_FIELD[m.kind];
  const spec = asObject(m.spec);
  if (field !== undefined && spec !== undefined) spec[field] = replicas;
}

function applyEnv(pod: JsonObject | undefined, env: NonNullable<OverrideRule['env']>): void {
  for (const e of env) {
    for (const c of targets(pod, e.containers)) {
      const list = Array.isArray(c.env) ? (c.env as unknown[]) : [];
      const kept = list.filter((v) => asObject(v)?.name !== e.name);
      if (e.remove !== true) kept.push({ name: e.name, value: e.value ?? '' });
      c.env = kept;
    }
  }
}

function applyResources(
  pod: JsonObject | undefined,
  resources: NonNullable<OverrideRule['resources']>,
): void {
  for (const r of resources) {
    for (const c of targets(pod, r.containers)) {
      const res = asObject(c.resources) ?? {};
      for (const kind of ['requests', 'limits'] as const) {
        const change = r[kind];
        if (change === undefined) continue;
        const cur = asObject(res[kind]) ?? {};
        if (change.cpu !== undefined) cur.cpu = String(change.cpu);
        if (change.memory !== undefined) cur.memory = String(change.memory);
        res[kind] = cur;
      }
      c.resources = res;
    }
  }
}

function applyMap(
  target: Record<string, string>,
  change: Record<string, string | null>,
): Record<string, string> {
  const out = { ...target };
  for (const [k, v] of Object.entries(change)) {
    if (v === null) delete out[k];
    else out[k] = v;
  }
  return out;
}

function applyRule(m: KubeObject, rule: OverrideRule): void {
  const pod = podSpecOf(m);
  if (rule.image !== undefined) {
    const { containers, ...change } = rule.image;
    for (const c of targets(pod, containers))
      if (typeof c.image === 'string') c.image = rewriteImage(c.image, change);
  }
  if (rule.replicas !== undefined) setReplicas(m, rule.replicas);
  if (rule.env !== undefined) applyEnv(pod, rule.env);
  if (rule.resources !== undefined) applyResources(pod, rule.resources);
  if (rule.labels !== undefined) m.metadata.labels = applyMap(m.metadata.labels ?? {}, rule.labels);
  if (rule.annotations !== undefined)
    m.metadata.annotations = applyMap(m.metadata.annotations ?? {}, rule.annotations);
  if (rule.jsonPatch !== undefined) applyJsonPatch(m, rule.jsonPatch);
}

/** Renders the manifest for one cluster (throws JsonPatchError when a patch does not apply). */
export function renderForCluster(
  manifest: KubeObject,
  policy: PlacementPolicySpec | undefined,
  cluster: ClusterSnapshot,
  replicas: number | undefined,
): KubeObject {
  const out = structuredClone(manifest);
  if (replicas !== undefined) setReplicas(out, replicas);
  for (const rule of matchingOverrides(policy, cluster)) applyRule(out, rule);
  return out;
}
