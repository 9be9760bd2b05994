/**
 * templateInfoFromManifest: the facts the scheduler needs from an ordinary manifest.
 *
 * - replicas: spec.replicas (default 1) of Deployment/StatefulSet/ReplicaSet/ReplicationController,
 *   spec.parallelism (default 1) of a Job; undefined for everything else (Services, ConfigMaps,
 *   DaemonSets — a DaemonSet runs per node, not per replica count).
 * - podRequests: Kubernetes' effective pod request — max(sum of containers, largest init
 *   container) per resource, a container's limits standing in for missing requests.
 * - dataBearing: annotation `fedgate.dev/data-bearing: "true"|"false"` when present; otherwise a
 *   PersistentVolumeClaim, a StatefulSet with volumeClaimTemplates, or a pod mounting a PVC.
 */
import type { KubeObject, TemplateInfo } from '../types.js';
import { asObject, asObjects, asString, type JsonObject, podSpecOf, REPLICA_FIELD } from './pod-spec.js';
import { parseCpuMilli, parseMemoryBytes } from './quantity.js';

/** Annotation that declares (or denies) that a workload holds user data. */
export const DATA_BEARING_ANNOTATION = 'fedgate.dev/data-bearing';

function containerRequests(c: JsonObject): { cpuMilli: number; memoryBytes: number } {
  const res = asObject(c.resources);
  const req = asObject(res?.requests) ?? {};
  const lim = asObject(res?.limits) ?? {};
  const cpu = req.cpu ?? lim.cpu;
  const mem = req.memory ?? lim.memory;
  return {
    cpuMilli: typeof cpu === 'string' || typeof cpu === 'number' ? parseCpuMilli(cpu) : 0,
    memoryBytes: typeof mem === 'string' || typeof mem === 'number' ? parseMemoryBytes(mem) : 0,
  };
}

/** Effective requests of one pod, or undefined when no container declares any. */
export function podRequestsOf(pod: JsonObject): { cpuMilli: number; memoryBytes: number } | undefined {
  let cpu = 0;
  let mem = 0;
  for (const c of asObjects(pod.containers)) {
    const r = containerRequests(c);
    cpu += r.cpuMilli;
    mem += r.memoryBytes;
  }
  for (const c of asObjects(pod.initContainers)) {
    const r = containerRequests(c);
    cpu = Math.max(cpu, r.cpuMilli);
    mem = Math.max(mem, r.memoryBytes);
  }
  return cpu === 0 && mem === 0 ? undefined : { cpuMilli: cpu, memoryBytes: mem };
}

function isDataBearing(m: KubeObject, pod: JsonObject | undefined): boolean {
  const declared = m.metadata.annotations?.[DATA_BEARING_ANNOTATION];
  if (declared === 'true') return true;
  if (declared === 'false') return false;
  if (m.kind === 'PersistentVolumeClaim') return true;
  if (m.kind === 'StatefulSet' && asObjects(asObject(m.spec)?.volumeClaimTemplates).length > 0) return true;
  return asObjects(pod?.volumes).some((v) => asObject(v.persistentVolumeClaim) !== undefined);
}

function replicasOf(m: KubeObject): number | undefined {
  const field = REPLICA_FIELD[m.kind];
  if (field === undefined) return undefined;
  const v = asObject(m.spec)?.[field];
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : 1;
}

/** Parses the scheduling facts of a manifest (pure; throws QuantityError on a malformed quantity). */
export function templateInfoFromManifest(manifest: KubeObject): TemplateInfo {
  const pod = podSpecOf(manifest);
  const replicas = replicasOf(manifest);
  const podRequests = pod !== undefined ? podRequestsOf(pod) : undefined;
  return {
    apiVersion: manifest.apiVersion,
    kind: manifest.kind,
    namespace: asString(manifest.metadata.namespace) ?? 'default',
    name: manifest.metadata.name,
    labels: { ...(manifest.metadata.labels ?? {}) },
    ...(replicas !== undefined ? { replicas } : {}),
    ...(podRequests !== undefined ? { podRequests } : {}),
    dataBearing: isDataBearing(manifest, pod),
  };
}
