import type { Logger } from 'pino';
import type { MemberClusterClient, ObjectRef } from '../../providers/member-cluster-client.js';
import { isProviderError } from '../../providers/provider-error.js';
import type { Clock } from '../controller/context.js';
import type { JobRequest } from '../controller/controller.js';
import type { PropagationJob } from '../queue/queues.js';
import type { BindingClusterStatus } from '../resources/binding.js';
import type { ObjectKey } from '../resources/kube-object.js';
import type { ResourceStore } from '../store/resource-store.js';
import { bindingHash, OWNERSHIP } from './ownership.js';
import type { BindingObject } from './placement-reconciler.js';

/** What becomes of the old copy in an evicted cluster. */
export type EvictedCopyVerdict =
  /** It stays; the jobs look again (none: purge mode Never keeps it for good). */
  | { readonly keep: true; readonly followUps: JobRequest[] }
  /** It goes; `overdue` says why when the grace period ended before the new copies were ready. */
  | { readonly keep: false; readonly overdue?: string };

/**
 * Whether the old copy in an evicted cluster stays, with the jobs that look again: purge mode
 * Never keeps it for good; graceful eviction (failover, and every move that is not a failure: a
 * policy change, cost, capacity) keeps it until every target cluster reports its replicas ready,
 * or the grace period ends, then it goes anyway (`overdue`, recorded by the caller); Immediately
 * removes it at once. Not evicted at all: remove it.
 */
export async function keepEvictedCopy(
  deps: { readonly store: ResourceStore; readonly clock: Clock },
  key: ObjectKey,
  binding: BindingObject,
  job: PropagationJob,
  statusCheck: () => Promise<JobRequest>,
): Promise<EvictedCopyVerdict> {
  const eviction = binding.spec.evictions?.find((e) => e.cluster === job.cluster);
  if (!eviction || eviction.purgeMode === 'Immediately') return { keep: false };
  if (eviction.purgeMode === 'Never') return { keep: true, followUps: [] };
  const grace = eviction.gracePeriodSeconds ?? 600;
  const graceEnds = Date.parse(eviction.since) + grace * 1000;
  const statuses = await deps.store.clusterStatuses<BindingClusterStatus>(key);
  const byCluster = new Map(statuses.map((s) => [s.cluster, s]));
  const notReady = binding.spec.clusters.filter((c) => {
    const s = byCluster.get(c.name);
    return !(s?.phase === 'Applied' && (c.replicas === undefined || (s.readyReplicas ?? 0) >= c.replicas));
  });
  if (notReady.length === 0) return { keep: false };
  if (deps.clock.now() < graceEnds) return { keep: true, followUps: [await statusCheck()] };
  const waiting = notReady
    .map((c) => `${c.name} ${byCluster.get(c.name)?.readyReplicas ?? 0}/${c.replicas ?? 1} ready`)
    .join(', ');
  return {
    keep: false,
    overdue: `pruned when the grace period of ${grace}s ended (evicted ${eviction.since}: ${eviction.reason}) before the new copies were ready: ${waiting}`,
  };
}

/** Deletes the object from the cluster if it is there and labelled as this binding's (never anyone else's). */
export async function pruneOwned(
  client: MemberClusterClient,
  ref: ObjectRef,
  job: PropagationJob,
  log: Logger,
): Promise<void> {
  try {
    const current = await client.readStatus(ref);
    const ours =
      current.object?.metadata.labels?.[OWNERSHIP.bindingHashLabel] ===
      bindingHash(job.namespace, job.binding);
    if (current.exists && ours) {
      await client.delete(ref);
      log.info({ cluster: job.cluster, object: ref }, 'pruned');
    }
  } catch (err) {
    if (!isProviderError(err, 'NotFound')) throw err;
  }
}
