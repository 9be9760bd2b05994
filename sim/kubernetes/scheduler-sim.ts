/**
 * The scheduling decision of kube-scheduler, reduced to what placement tests need: filters for
 * node readiness/unschedulable, taints vs tolerations, nodeSelector, required node affinity, and
 * fit of the pod's requests (cpu, memory, pod count) in what is left of the node's allocatable;
 * then the least-allocated node wins (ties by name, so results are deterministic). Pure functions.
 */
import { fromLabelSelectorObject, matchesLabels } from './label-selector.js';
import { parseBytes, parseCpuMillis } from './quantity.js';
import type { KubeObject } from './types.js';
import { getPath, isObject } from './types.js';

/** Requests of one pod, in millicores and bytes. */
export interface PodRequests {
  cpuMillis: number;
  memoryBytes: number;
}

/** Resources of a node still available to pods. */
export interface NodeUsage {
  cpuMillis: number;
  memoryBytes: number;
  pods: number;
}

/** Default request of a container without one (the figures the issue asks for). */
export const DEFAULT_REQUESTS: PodRequests = { cpuMillis: 100, memoryBytes: 128 * 2 ** 20 };

/** Sum of container requests of a pod spec; containers without a request count the default. */
export function podRequests(podSpec: unknown): PodRequests {
  const containers = getPath(podSpec, ['containers']);
  const total: PodRequests = { cpuMillis: 0, memoryBytes: 0 };
  if (!Array.isArray(containers)) return { ...DEFAULT_REQUESTS };
  for (const c of containers) {
    const cpu = getPath(c, ['resources', 'requests', 'cpu']);
    const memory = getPath(c, ['resources', 'requests', 'memory']);
    total.cpuMillis +=
      typeof cpu === 'string' || typeof cpu === 'number' ? parseCpuMillis(cpu) : DEFAULT_REQUESTS.cpuMillis;
    total.memoryBytes +=
      typeof memory === 'string' || typeof memory === 'number'
        ? parseBytes(memory)
        : DEFAULT_REQUESTS.memoryBytes;
  }
  return total;
}

/** Allocatable resources of a Node object. */
export function nodeAllocatable(node: KubeObject): NodeUsage {
  const read = (key: string): unknown =>
    getPath(node, ['status', 'allocatable', key]) ?? getPath(node, ['status', 'capacity', key]);
  const cpu = read('cpu');
  const memory = read('memory');
  const pods = read('pods');
  return {
    cpuMillis: typeof cpu === 'string' || typeof cpu === 'number' ? parseCpuMillis(cpu) : 0,
    memoryBytes: typeof memory === 'string' || typeof memory === 'number' ? parseBytes(memory) : 0,
    pods: typeof pods === 'string' || typeof pods === 'number' ? Number(pods) : 110,
  };
}

function tolerates(tolerations: unknown[], taint: Record<string, unknown>): boolean {
  return tolerations.some((t) => {
    if (!isObject(t)) return false;
    if (t.effect && t.effect !== taint.effect) return false;
    if (t.operator === 'Exists') return !t.key || t.key === taint.key;
    return t.key === taint.key && (t.value ?? '') === (taint.value ?? '');
  });
}

function untoleratedTaint(node: KubeObject, podSpec: unknown): Record<string, unknown> | undefined {
  const taints = getPath(node, ['spec', 'taints']);
  if (!Array.isArray(taints)) return undefined;
  const tolerations = getPath(podSpec, ['tolerations']);
  const list = Array.isArray(tolerations) ? tolerations : [];
  for (const taint of taints) {
    if (!isObject(taint) || (taint.effect !== 'NoSchedule' && taint.effect !== 'NoExecute')) continue;
    if (!tolerates(list, taint)) return taint;
  }
  return undefined;
}

function matchesAffinity(node: KubeObject, podSpec: unknown): boolean {
  const terms = getPath(podSpec, [
    'affinity',
    'nodeAffinity',
    'requiredDuringSchedulingIgnoredDuringExecution',
    'nodeSelectorTerms',
  ]);
  if (!Array.isArray(terms) || terms.length === 0) return true;
  // Terms are ORed; the expressions inside one term are ANDed (same operators as label selectors).
  return terms.some((term) => {
    const selector = fromLabelSelectorObject({ matchExpressions: getPath(term, ['matchExpressions']) ?? [] });
    return selector !== undefined && matchesLabels(selector, node.metadata.labels);
  });
}

function isReady(node: KubeObject): boolean {
  const conditions = getPath(node, ['status', 'conditions']);
  if (!Array.isArray(conditions)) return false;
  return conditions.some((c) => getPath(c, ['type']) === 'Ready' && getPath(c, ['status']) === 'True');
}

/** Outcome of scheduling one pod. */
export type ScheduleResult = { node: string } | { message: string };

/** Picks a node for the pod, or explains (in kube-scheduler's words) why none fits. */
export function chooseNode(
  nodes: readonly KubeObject[],
  used: ReadonlyMap<string, NodeUsage>,
  podSpec: unknown,
  requests: PodRequests,
): ScheduleResult {
  const reasons = new Map<string, number>();
  const reject = (reason: string): void => {
    reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
  };
  const nodeSelector = getPath(podSpec, ['nodeSelector']);
  let best: { name: string; score: number } | undefined;
  for (const node of nodes) {
    if (!isReady(node)) {
      reject('node(s) had untolerated taint {node.kubernetes.io/not-ready: }');
      continue;
    }
    if (getPath(node, ['spec', 'unschedulable']) === true) {
      reject('node(s) were unschedulable');
      continue;
    }
    const taint = untoleratedTaint(node, podSpec);
    if (taint) {
      reject(`node(s) had untolerated taint {${String(taint.key)}: ${String(taint.value ?? '')}}`);
      continue;
    }
    if (
      isObject(nodeSelector) &&
      !Object.entries(nodeSelector).every(([k, v]) => node.metadata.labels?.[k] === v)
    ) {
      reject("node(s) didn't match Pod's node affinity/selector");
      continue;
    }
    if (!matchesAffinity(node, podSpec)) {
      reject("node(s) didn't match Pod's node affinity/selector");
      continue;
    }
    const allocatable = nodeAllocatable(node);
    const usage = used.get(node.metadata.name) ?? { cpuMillis: 0, memoryBytes: 0, pods: 0 };
    let fits = true;
    if (usage.pods + 1 > allocatable.pods) {
      reject('Too many pods');
      fits = false;
    }
    if (usage.cpuMillis + requests.cpuMillis > allocatable.cpuMillis) {
      reject('Insufficient cpu');
      fits = false;
    }
    if (usage.memoryBytes + requests.memoryBytes > allocatable.memoryBytes) {
      reject('Insufficient memory');
      fits = false;
    }
    if (!fits) continue;
    // LeastAllocated: prefer the node with the most free cpu and memory after placing the pod.
    const cpuFree = 1 - (usage.cpuMillis + requests.cpuMillis) / Math.max(1, allocatable.cpuMillis);
    const memFree = 1 - (usage.memoryBytes + requests.memoryBytes) / Math.max(1, allocatable.memoryBytes);
    const score = (cpuFree + memFree) / 2;
    if (!best || score > best.score + 1e-12) best = { name: node.metadata.name, score };
  }
  if (best) return { node: best.name };
  const total = nodes.length;
  const parts = [...reasons.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([r, n]) => `${n} ${r}`);
  const detail = parts.length > 0 ? ` ${parts.join(', ')}.` : '';
  return {
    message: `0/${total} nodes are available:${detail} preemption: 0/${total} nodes are available: ${total} No preemption victims found for incoming pod.`,
  };
}
