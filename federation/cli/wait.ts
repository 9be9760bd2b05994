import { DEPENDENCY_KINDS } from '../../placement/index.js';
import { isFedgateError } from '../errors/fedgate-error.js';
import { BINDING_TYPE } from '../resources/kinds.js';
import type { KubeObject } from '../resources/kube-object.js';
import type { ApiClient } from './api-client.js';
import { displayOfTypeKey } from './kinds.js';
import { field } from './output/format.js';

/** A template to wait for: its key and the generation that was applied. */
export interface WaitItem {
  readonly type: string;
  readonly namespace: string;
  readonly name: string;
  readonly generation?: number;
}

/** Options of `waitForPlacement`. */
export interface WaitOptions {
  readonly timeoutMs: number;
  /** Poll interval (ms). Default 500. */
  readonly intervalMs?: number;
  /** Receives a line whenever an item's progress changes. */
  readonly progress: (line: string) => void;
}

/** Where one template ended up: applied everywhere, not placed (and why), or still on its way. */
export interface WaitOutcome {
  readonly state: 'applied' | 'not placed' | 'pending';
  /** `applied in 3/3 clusters`, `not placed: NoMatchingPolicy: …`, `1/3 clusters applied`. */
  readonly line: string;
  /** For `not placed`: the scheduler's reason (`NoMatchingPolicy`, `Unschedulable`, …). */
  readonly reason?: string;
}

/** The result of a wait: true when nothing is pending any more, and each item's outcome by `idOf`. */
export interface WaitResult {
  readonly settled: boolean;
  readonly outcomes: ReadonlyMap<string, WaitOutcome>;
}

/** `deployment.apps/web` for a type key and name. */
export function displayOf(type: string): string {
  return displayOfTypeKey(type);
}

/** The key of an item in a WaitResult. */
export function idOf(item: Pick<WaitItem, 'type' | 'namespace' | 'name'>): string {
  return `${item.type}/${item.namespace}/${item.name}`;
}

/**
 * Polls each template's Binding until it is placed for the applied generation and every chosen
 * cluster reports it Applied at that generation, or the scheduler decided at that generation that
 * it goes nowhere (no policy selects it, or none can place it), reporting progress as it changes.
 * A ConfigMap, Secret, ServiceAccount or PVC no policy selects may still follow a workload that
 * references it: it counts as not placed only once the other items are settled and no placed
 * workload in its namespace references it. Stops at the timeout with what is still pending.
 */
export async function waitForPlacement(
  client: ApiClient,
  items: readonly WaitItem[],
  opts: WaitOptions,
): Promise<WaitResult> {
  const deadline = Date.now() + opts.timeoutMs;
  const outcomes = new Map<string, WaitOutcome>();
  const pending = new Map(items.map((i) => [idOf(i), i]));
  const last = new Map<string, string>();
  for (;;) {
    const maybeFollowing: [string, WaitItem, WaitOutcome][] = [];
    for (const [id, item] of pending) {
      const outcome = await outcomeOf(client, item);
      if (last.get(id) !== outcome.line) {
        opts.progress(`${displayOf(item.type)}/${item.name}: ${outcome.line}`);
        last.set(id, outcome.line);
      }
      outcomes.set(id, outcome);
      if (outcome.state === 'pending') continue;
      if (outcome.reason === 'NoMatchingPolicy' && DEPENDENCY_KINDS.has(kindOf(item.type)))
        maybeFollowing.push([id, item, outcome]);
      else pending.delete(id);
    }
    if (maybeFollowing.length > 0 && maybeFollowing.length === pending.size) {
      // Every workload is settled: a dependency nothing placed references goes nowhere.
      const referenced = await referencedByPlacedWorkloads(
        client,
        maybeFollowing.map(([, i]) => i),
      );
      for (const [id, item] of maybeFollowing)
        if (!referenced.has(idOf(item))) {
          outcomes.set(id, {
            state: 'not placed',
            reason: 'NoMatchingPolicy',
            line: 'not placed: no PlacementPolicy selects it and no placed workload references it',
          });
          pending.delete(id);
        }
    }
    if (pending.size === 0) return { settled: true, outcomes };
    if (Date.now() >= deadline) return { settled: false, outcomes };
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 500));
  }
}

async function outcomeOf(client: ApiClient, item: WaitItem): Promise<WaitOutcome> {
  let binding: KubeObject;
  try {
    binding = await client.explain(item.type, item.namespace, item.name);
  } catch (e) {
    if (isFedgateError(e, 'NotFound')) return { state: 'pending', line: 'waiting for the scheduler' };
    throw e;
  }
  const gen = item.generation ?? 0;
  const placedFor = field(binding, 'spec', 'resource', 'generation');
  if (typeof placedFor === 'number' && placedFor < gen) {
    return {
      state: 'pending',
      line: `waiting for the scheduler (placed generation ${placedFor}, applied ${gen})`,
    };
  }
  const conds = field(binding, 'status', 'conditions');
  const scheduled = Array.isArray(conds) ? conds.find((c) => field(c, 'type') === 'Scheduled') : undefined;
  // Spec and status are written together: the decision is for the template generation in the spec
  // (status.observedGeneration is the Binding's own generation).
  if (field(scheduled, 'status') === 'False' && (typeof placedFor !== 'number' || placedFor >= gen)) {
    const reason = String(field(scheduled, 'reason') ?? 'NotScheduled');
    const message = field(scheduled, 'message');
    return {
      state: 'not placed',
      reason,
      line: `not placed: ${reason}${typeof message === 'string' && message !== '' ? `: ${message}` : ''}`,
    };
  }
  const targets = field(binding, 'spec', 'clusters');
  const names = Array.isArray(targets) ? targets.map((t) => String(field(t, 'name'))) : [];
  if (names.length === 0) return { state: 'pending', line: 'no cluster chosen yet' };
  const statuses = field(binding, 'status', 'clusters');
  const byCluster = new Map<string, unknown>(
    Array.isArray(statuses) ? statuses.map((s) => [String(field(s, 'cluster')), s]) : [],
  );
  let applied = 0;
  const failed: string[] = [];
  for (const n of names) {
    const s = byCluster.get(n);
    const g = field(s, 'appliedGeneration');
    if (field(s, 'phase') === 'Applied' && (typeof g !== 'number' || g >= gen)) applied++;
    else if (field(s, 'phase') === 'Failed') failed.push(`${n}: ${String(field(s, 'message') ?? 'failed')}`);
  }
  if (applied === names.length)
    return { state: 'applied', line: `applied in ${applied}/${names.length} clusters` };
  const line = `${applied}/${names.length} clusters applied${failed.length > 0 ? `, failed: ${failed.join('; ')}` : ''}`;
  return { state: 'pending', line };
}

/** Which of the items a placed workload's Binding in their namespace lists as a dependency. */
async function referencedByPlacedWorkloads(
  client: ApiClient,
  items: readonly WaitItem[],
): Promise<Set<string>> {
  const out = new Set<string>();
  for (const namespace of new Set(items.map((i) => i.namespace))) {
    const { items: bindings } = await client.list(BINDING_TYPE, { namespace });
    for (const b of bindings) {
      const clusters = field(b, 'spec', 'clusters');
      const deps = field(b, 'spec', 'dependencies');
      if (!Array.isArray(clusters) || clusters.length === 0 || !Array.isArray(deps)) continue;
      for (const d of deps)
        for (const i of items)
          if (i.namespace === namespace && field(d, 'kind') === kindOf(i.type) && field(d, 'name') === i.name)
            out.add(idOf(i));
    }
  }
  return out;
}

function kindOf(type: string): string {
  return type.split('.')[0] ?? '';
}
