/**
 * Where a workload keeps its pod spec, and small safe accessors for untyped manifests.
 */
import type { KubeObject } from '../types.js';

/** A JSON object. */
export type JsonObject = Record<string, unknown>;

/** The value as a JSON object, or undefined. */
export function asObject(v: unknown): JsonObject | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as JsonObject) : undefined;
}

/** The value as an array of JSON objects (non-objects dropped), or []. */
export function asObjects(v: unknown): JsonObject[] {
  return Array.isArray(v) ? v.map(asObject).filter((x): x is JsonObject => x !== undefined) : [];
}

/** The value if it is a non-empty string. */
export function asString(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** Kinds whose pod template is at spec.template. */
const TEMPLATED = new Set([
  'Deployment',
  'StatefulSet',
  'ReplicaSet',
  'DaemonSet',
  'Job',
  'ReplicationController',
]);

/** Kinds with a replica count the scheduler may divide, and where it lives. */
export const REPLICA_FIELD: Readonly<Record<string, string>> = {
  Deployment: 'replicas',
  StatefulSet: 'replicas',
  ReplicaSet: 'replicas',
  ReplicationController: 'replicas',
  Job: 'parallelism',
};

/** The pod spec of a workload manifest (Pod, Deployment…, CronJob), or undefined. */
export function podSpecOf(m: KubeObject): JsonObject | undefined {
  const spec = asObject(m.spec);
  if (spec === undefined) return undefined;
  if (m.kind === 'Pod') return spec;
  if (m.kind === 'CronJob') {
    return asObject(asObject(asObject(asObject(spec.jobTemplate)?.spec)?.template)?.spec);
  }
  if (TEMPLATED.has(m.kind)) return asObject(asObject(spec.template)?.spec);
  return undefined;
}

/** Every container list of a pod spec: containers, initContainers, ephemeralContainers. */
export function allContainers(pod: JsonObject): JsonObject[] {
  return [
    ...asObjects(pod.initContainers),
    ...asObjects(pod.containers),
    ...asObjects(pod.ephemeralContainers),
  ];
}
