import type { Logger } from 'pino';
import type { JobRequest } from '../controller/controller.js';
import type { PropagationJob } from '../queue/queues.js';
import { ALL_TARGET_CLUSTERS } from '../queue/queues.js';
import { BINDING_TYPE } from '../resources/kinds.js';
import { WATCHED_WORKLOADS } from './cluster-workload-watch.js';
import type { BindingObject } from './placement-reconciler.js';
import { propagationJob } from './template-jobs.js';
import { MAX_DEFERRED_CHECK, type WatchedStatusChecks } from './watched-status-checks.js';

/** The longest wait between two status reads at the usual pace. */
const STATUS_CHECK_MAX_DELAY_MS = 10_000;

/** How follow-up status reads are paced. */
export interface StatusCheckPace {
  /**
   * Whether every one of these clusters' workload watches is current (listed and connected): their
   * watch reports readiness of Deployments and StatefulSets as it changes, so status checks of
   * those only back it up, at a slower pace.
   */
  readonly watching?: (clusters: readonly string[]) => Promise<boolean>;
  /** First delay of a check backing up current watches, doubled per check up to four times it; 0: usual pace. */
  readonly watchedCheckDelayMs: number;
  /**
   * Where a check of one cluster backing up its current watch waits for the holder of the watch's
   * lease (see WatchedStatusChecks); absent: a delayed job per binding at the slower pace.
   */
  readonly deferred?: WatchedStatusChecks;
  readonly now: () => number;
  readonly log: Logger;
}

/**
 * The next status read of a binding not ready yet: one per binding (its copies' passes name the
 * same job, so it is added once), every target cluster not ready read by it. `graceful`: a read of
 * the one evicted cluster whose old copy waits for its replacement to be ready.
 */
export async function statusCheckJob(
  job: PropagationJob,
  binding: BindingObject,
  pace: StatusCheckPace,
  graceful = false,
): Promise<JobRequest<PropagationJob>> {
  const n = (job.statusCheck ?? 0) + 1;
  const delay =
    !graceful && pace.watchedCheckDelayMs > 0 && (await watched(binding, pace))
      ? watchedDelay(n, pace)
      : Math.min(250 * 2 ** Math.min(n, 10), STATUS_CHECK_MAX_DELAY_MS);
  const template = job.template ? { template: job.template } : {};
  const data: PropagationJob = graceful
    ? { namespace: job.namespace, binding: job.binding, cluster: job.cluster, ...template }
    : {
        namespace: job.namespace,
        binding: job.binding,
        cluster: ALL_TARGET_CLUSTERS,
        statusCheck: n,
        ...template,
      };
  return propagationJob(
    data,
    binding.metadata.generation ?? 1,
    [{ kind: 'status-check', check: n, slot: Math.floor(pace.now() / delay) }],
    { name: 'status', delayMs: delay },
  );
}

/**
 * The next status read after a pass of one binding in one cluster found its workload not ready:
 * where that cluster's watch is current, a check deferred to the watch's lease holder (no job:
 * see WatchedStatusChecks), else a delayed job as `statusCheckJob` makes it.
 */
export async function nextStatusCheck(
  job: PropagationJob,
  binding: BindingObject,
  pace: StatusCheckPace,
): Promise<JobRequest<PropagationJob>[]> {
  const n = (job.statusCheck ?? 0) + 1;
  const { deferred } = pace;
  if (
    deferred &&
    job.cluster !== ALL_TARGET_CLUSTERS &&
    pace.watchedCheckDelayMs > 0 &&
    n <= MAX_DEFERRED_CHECK &&
    (await watched(binding, pace, [job.cluster]))
  ) {
    const key = { type: BINDING_TYPE, namespace: job.namespace, name: job.binding };
    await deferred.defer(job.cluster, key, n, watchedDelay(n, pace), pace.now());
    return [];
  }
  return [await statusCheckJob(job, binding, pace)];
}

/** The delay of the n-th check backing up current watches: the first delay, doubled per check up to four times it. */
function watchedDelay(n: number, pace: StatusCheckPace): number {
  const first = pace.watchedCheckDelayMs;
  return Math.min(first * 2 ** Math.min(n - 1, 10), first * 4);
}

/**
 * Whether the binding's workload reports its readiness through watches in every one of `clusters`
 * (default: its target clusters) right now (a Deployment or StatefulSet, every cluster's watch
 * caught up).
 */
async function watched(
  binding: BindingObject,
  pace: StatusCheckPace,
  clusters: readonly string[] = binding.spec.clusters.map((c) => c.name),
): Promise<boolean> {
  const r = binding.spec.resource;
  if (!pace.watching || !WATCHED_WORKLOADS.some((w) => w.apiVersion === r.apiVersion && w.kind === r.kind))
    return false;
  try {
    return await pace.watching(clusters);
  } catch (err) {
    pace.log.debug(
      { binding: binding.metadata.name, err },
      'watch marks unreadable; status checks at the usual pace',
    );
    return false;
  }
}

/** How long a "watches current" answer is reused (see recentWatching). */
export const WATCHING_REUSE_MS = 1_000;

/**
 * `watching` that reuses a "current" answer for the same clusters read less than `reuseMs` ago
 * (the passes of one binding and of its neighbours ask the same within milliseconds). A watch's
 * mark lives a whole lease TTL anyway, so an answer a second old is as good as a fresh one; a
 * "not current" answer is never reused, so a watch that just caught up slows the checks at once.
 * Concurrent asks for the same clusters share one read.
 */
export function recentWatching(
  read: (clusters: readonly string[]) => Promise<boolean>,
  now: () => number,
  reuseMs = WATCHING_REUSE_MS,
): (clusters: readonly string[]) => Promise<boolean> {
  const current = new Map<string, number>();
  const inFlight = new Map<string, Promise<boolean>>();
  return async (clusters) => {
    const key = clusters.join('\n');
    const at = current.get(key);
    if (at !== undefined && now() - at < reuseMs) return true;
    let asked = inFlight.get(key);
    if (!asked) {
      const started = now();
      asked = read(clusters)
        .then((yes) => {
          if (current.size >= 10_000) current.clear();
          if (yes) current.set(key, started);
          else current.delete(key);
          return yes;
        })
        .finally(() => inFlight.delete(key));
      inFlight.set(key, asked);
    }
    return asked;
  };
}
