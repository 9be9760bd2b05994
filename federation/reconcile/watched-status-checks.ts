import type { Redis } from 'ioredis';
import type { JobRequest } from '../controller/controller.js';
import type { PropagationJob } from '../queue/queues.js';
import type { BindingClusterStatus } from '../resources/binding.js';
import { BINDING_TYPE } from '../resources/kinds.js';
import type { ObjectKey } from '../resources/kube-object.js';
import type { StoreKeys } from '../store/keys.js';
import { propagationJob } from './template-jobs.js';

/**
 * Removes the members whose score is still the one read (a pass may have deferred the same binding
 * again meanwhile: that new check stays). KEYS: 1 the cluster's set. ARGV: member, score, member, score…
 */
const REMOVE_SCRIPT = `
local n = 0
for i = 1, #ARGV, 2 do
  if redis.call('ZSCORE', KEYS[1], ARGV[i]) == ARGV[i + 1] then
    n = n + redis.call('ZREM', KEYS[1], ARGV[i])
  end
end
return n`;

/**
 * Check numbers are kept in a score's fraction, in 1024ths: exact in a double beside epoch
 * milliseconds (below 2^42, until the year 2109, a double resolves 2^-10).
 */
const CHECK_FRACTION = 1024;

/** The highest check number a deferred check can carry. */
export const MAX_DEFERRED_CHECK = CHECK_FRACTION - 1;

/** Due checks of one cluster taken per lease round. */
const BATCH = 500;

/** The due checks of a cluster, taken by a lease round. */
export interface DueChecks {
  /** Status passes of the bindings not ready in that cluster, to add to the queue. */
  readonly jobs: readonly JobRequest<PropagationJob>[];
  /** Removes the entries taken, once the jobs are queued (a failure before leaves them for the next round). */
  settle(): Promise<void>;
}

/** A status check backing up a cluster's watch, waiting for its time. */
export interface DeferredCheck {
  readonly namespace: string;
  readonly binding: string;
  /** Which follow-up read of the binding's pass this is (1 for the first). */
  readonly check: number;
  /** When it is due (epoch ms). */
  readonly dueAt: number;
}

/**
 * The status checks that back up current workload watches, kept per member cluster in Redis (a
 * sorted set of `namespace/binding` by due time, the check's number in the score's fraction)
 * instead of one delayed job per binding: a pass whose workload is not ready yet adds one entry
 * (one command), and the holder of the cluster's watch lease takes the due entries with each lease
 * round. Most of them find the status already ready, reported by the watch, and are only removed;
 * a binding still not ready in that cluster gets a propagation status pass then, which reads the
 * workload in the cluster as any status check does and defers the next check if need be.
 */
export class WatchedStatusChecks {
  constructor(
    private readonly redis: Redis,
    private readonly keys: StoreKeys,
  ) {
    redis.defineCommand('fgStatusChecksRemove', { numberOfKeys: 1, lua: REMOVE_SCRIPT });
  }

  /** Defers the `check`-th status check of a binding in a cluster by `delayMs` (replacing any pending). */
  async defer(
    cluster: string,
    binding: ObjectKey,
    check: number,
    delayMs: number,
    now: number,
  ): Promise<void> {
    if (!Number.isInteger(check) || check < 1 || check > MAX_DEFERRED_CHECK)
      throw new RangeError(`check ${check} cannot be deferred (1 to ${MAX_DEFERRED_CHECK})`);
    const score = Math.round(now + delayMs) + check / CHECK_FRACTION;
    await this.redis.zadd(this.key(cluster), score, memberOf(binding));
  }

  /** The checks pending in a cluster, soonest first. */
  async pending(cluster: string): Promise<DeferredCheck[]> {
    const flat = await this.redis.zrange(this.key(cluster), '0', '-1', 'WITHSCORES');
    return entries(flat).map(({ score: _, ...d }) => d);
  }

  /** How many checks are pending in these clusters. */
  async count(clusters: readonly string[]): Promise<number> {
    if (clusters.length === 0) return 0;
    const pipe = this.redis.pipeline();
    for (const c of clusters) pipe.zcard(this.key(c));
    const replies = (await pipe.exec()) ?? [];
    return replies.reduce((sum, [err, n]) => (err ? sum : sum + Number(n)), 0);
  }

  /**
   * Takes a cluster's due checks: those whose recorded status is ready (the watch reported it) are
   * done; the others become status passes of that cluster (returned, to be added to the queue).
   * Undefined when none is due.
   */
  async takeDue(cluster: string, now: number): Promise<DueChecks | undefined> {
    const key = this.key(cluster);
    // Due by now: the score's fraction is the check number, so below the next millisecond.
    const due = entries(
      await this.redis.zrangebyscore(key, '-inf', `(${Math.floor(now) + 1}`, 'WITHSCORES', 'LIMIT', 0, BATCH),
    );
    if (due.length === 0) return undefined;
    const pipe = this.redis.pipeline();
    for (const d of due) pipe.hget(this.keys.memberStatus(bindingKeyOf(d)), cluster);
    const statuses = (await pipe.exec()) ?? [];
    const jobs: JobRequest<PropagationJob>[] = [];
    due.forEach((d, i) => {
      const [err, json] = statuses[i] ?? [];
      if (err) throw err;
      if (typeof json === 'string' && ready(JSON.parse(json) as BindingClusterStatus)) return;
      // No status (the binding is gone, or its copy pruned): the pass finds that out and does nothing.
      jobs.push(
        propagationJob(
          { namespace: d.namespace, binding: d.binding, cluster, statusCheck: d.check },
          0,
          [{ kind: 'status-check', check: d.check, slot: d.dueAt }],
          { name: 'status' },
        ),
      );
    });
    return { jobs, settle: () => this.remove(key, due) };
  }

  /**
   * Removes the entries taken. A pass deferring one of them again meanwhile moved it at least the
   * first delay ahead, past every entry taken: when the take got every due entry, removing the
   * scores up to the last one taken is exact (one command); a take cut at BATCH, where an entry
   * not taken may share that score, compares each entry's score instead.
   */
  private async remove(key: string, due: readonly (DeferredCheck & { score: string })[]): Promise<void> {
    if (due.length < BATCH) {
      await this.redis.zremrangebyscore(key, '-inf', due[due.length - 1]!.score);
      return;
    }
    await callRemove(
      this.redis,
      key,
      due.flatMap((d) => [memberOf(bindingKeyOf(d)), d.score]),
    );
  }

  private key(cluster: string): string {
    return `${this.keys.prefix}:status-checks:${cluster}`;
  }
}

function callRemove(redis: Redis, key: string, args: readonly string[]): Promise<unknown> {
  return (redis as unknown as Record<string, (...a: string[]) => Promise<unknown>>).fgStatusChecksRemove!(
    key,
    ...args,
  );
}

function ready(s: BindingClusterStatus): boolean {
  return s.phase === 'Applied' && (s.replicas === undefined || (s.readyReplicas ?? 0) >= s.replicas);
}

function memberOf(binding: ObjectKey): string {
  return `${binding.namespace}/${binding.name}`;
}

function bindingKeyOf(d: { namespace: string; binding: string }): ObjectKey {
  return { type: BINDING_TYPE, namespace: d.namespace, name: d.binding };
}

function entries(flat: readonly string[]): (DeferredCheck & { score: string })[] {
  const out: (DeferredCheck & { score: string })[] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) {
    const member = flat[i]!;
    const score = flat[i + 1]!;
    const value = Number(score);
    const dueAt = Math.floor(value);
    const slash = member.indexOf('/');
    out.push({
      namespace: member.slice(0, slash),
      binding: member.slice(slash + 1),
      check: Math.round((value - dueAt) * CHECK_FRACTION),
      dueAt,
      score,
    });
  }
  return out;
}
