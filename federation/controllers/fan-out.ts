import type { Job } from 'bullmq';
import type { ControllerContext } from '../controller/context.js';
import type { JobRequest } from '../controller/controller.js';
import { jobIds } from '../controller/job-ids.js';
import { type MaintenanceJob, QUEUE_NAMES } from '../queue/queues.js';
import { MEMBER_CLUSTER_TYPE } from '../resources/kinds.js';

/** The per-cluster kinds of maintenance job. */
type ClusterJobKind = Extract<MaintenanceJob, { cluster: string }>['kind'];

/**
 * One maintenance job of `kind` per member cluster, for a scheduled job (`scheduled`) that fans
 * out: ids carry the scheduled job's, so a repeated fan-out adds nothing twice.
 */
export async function perClusterJobs(
  ctx: ControllerContext,
  kind: ClusterJobKind,
  scheduled: Job,
  opts: { attempts?: number } = {},
): Promise<JobRequest[]> {
  const { items } = await ctx.store.list(MEMBER_CLUSTER_TYPE);
  return items.map((c) => ({
    queue: QUEUE_NAMES.maintenance,
    name: kind,
    data: { kind, cluster: c.metadata.name } satisfies MaintenanceJob,
    id: jobIds.maintenance(kind, c.metadata.name, [{ kind: 'scheduled', jobId: scheduled.id ?? '' }]),
    ...(opts.attempts !== undefined ? { attempts: opts.attempts } : {}),
  }));
}
