import { isFedgateError } from '../errors/fedgate-error.js';
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

/** `deployment.apps/web` for a type key and name. */
export function displayOf(type: string): string {
  return displayOfTypeKey(type);
}

/**
 * Polls each template's Binding until it is placed for the applied generation and every chosen
 * cluster reports it Applied at that generation, reporting progress as it changes. Resolves true
 * when all are done, false on timeout.
 */
export async function waitForPlacement(
  client: ApiClient,
  items: readonly WaitItem[],
  opts: WaitOptions,
): Promise<boolean> {
  const deadline = Date.now() + opts.timeoutMs;
  const pending = new Map(items.map((i) => [`${i.type}/${i.namespace}/${i.name}`, i]));
  const last = new Map<string, string>();
  for (;;) {
    for (const [id, item] of pending) {
      const { done, line } = await progressOf(client, item);
      if (last.get(id) !== line) {
        opts.progress(`${displayOf(item.type)}/${item.name}: ${line}`);
        last.set(id, line);
      }
      if (done) pending.delete(id);
    }
    if (pending.size === 0) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 500));
  }
}

async function progressOf(client: ApiClient, item: WaitItem): Promise<{ done: boolean; line: string }> {
  let binding: KubeObject;
  try {
    binding = await client.explain(item.type, item.namespace, item.name);
  } catch (e) {
    if (isFedgateError(e, 'NotFound')) return { done: false, line: 'waiting for the scheduler' };
    throw e;
  }
  const gen = item.generation ?? 0;
  const placedFor = field(binding, 'spec', 'resource', 'generation');
  if (typeof placedFor === 'number' && placedFor < gen) {
    return {
      done: false,
      line: `waiting for the scheduler (placed generation ${placedFor}, applied ${gen})`,
    };
  }
  const targets = field(binding, 'spec', 'clusters');
  const names = Array.isArray(targets) ? targets.map((t) => String(field(t, 'name'))) : [];
  if (names.length === 0) {
    const conds = field(binding, 'status', 'conditions');
    const why = Array.isArray(conds) ? conds.find((c) => field(c, 'status') === 'False') : undefined;
    return {
      done: false,
      line: `no cluster chosen${why ? `: ${String(field(why, 'message') ?? field(why, 'reason'))}` : ''}`,
    };
  }
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
  const line = `${applied}/${names.length} clusters applied${failed.length > 0 ? `, failed: ${failed.join('; ')}` : ''}`;
  return { done: applied === names.length, line };
}
