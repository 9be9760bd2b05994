import { type Controller, defineController } from '../../controller/controller.js';
import { encodeTriggers } from '../../controller/job-ids.js';
import { MEMBER_CLUSTER_TYPE, PEERING_POLICY_TYPE, PEERING_TYPE } from '../../resources/kinds.js';
import { expandPolicy } from './policy.js';
import type { PeeringObject } from './status.js';
import { type PeeringControllerProps, syncPeering, teardownPeering } from './sync.js';

export type { PeeringControllerProps } from './sync.js';

/** The queue of peering work: set-up steps, health reads, teardown. */
export const PEERING_QUEUE = 'peering';

/** Payload of a peering job. */
export type PeeringJob =
  | { readonly peering: string }
  | { readonly peering: string; readonly last: PeeringObject };

/**
 * Sets up each Peering through the providers' APIs, step by step with its journal in the status
 * (resumed after a crash, rolled back on a permanent failure), reads a Ready link's health every
 * `healthEveryMs`, and removes a deleted Peering's objects on both sides.
 */
export function peeringController(props: PeeringControllerProps): Controller {
  return defineController({
    name: 'peering',
    queues: [
      {
        name: PEERING_QUEUE,
        concurrency: 4,
        jobOptions: {
          // Throttling and outages are retried with backoff; the journal keeps what was done.
          attempts: 10,
          backoff: { type: 'exponential', delay: 1_000 },
          removeOnComplete: { age: 600, count: 1_000 },
          removeOnFail: { age: 24 * 3600, count: 1_000 },
        },
      },
    ],
    watches: [
      {
        types: (t) => t === PEERING_TYPE,
        map: (ev) => [
          ev.type === 'DELETED'
            ? {
                queue: PEERING_QUEUE,
                name: 'teardown',
                data: { peering: ev.key.name, last: ev.object as PeeringObject } satisfies PeeringJob,
                id: `teardown/${ev.key.name}${encodeTriggers([{ kind: 'deleted', resourceVersion: ev.resourceVersion }])}`,
              }
            : {
                queue: PEERING_QUEUE,
                name: 'sync',
                data: { peering: ev.key.name } satisfies PeeringJob,
                id: `sync/${ev.key.name}${encodeTriggers([{ kind: 'cluster', resourceVersion: ev.resourceVersion }])}`,
              },
        ],
      },
      {
        // A policy changed: plan it again.
        types: (t) => t === PEERING_POLICY_TYPE,
        map: (ev) =>
          ev.type === 'DELETED'
            ? []
            : [
                {
                  queue: PEERING_QUEUE,
                  name: 'plan',
                  data: { policy: ev.key.name },
                  id: `plan/${ev.key.name}${encodeTriggers([{ kind: 'policy', resourceVersion: ev.resourceVersion }])}`,
                },
              ],
      },
      {
        // A cluster joined, left or changed: every policy plans again.
        types: (t) => t === MEMBER_CLUSTER_TYPE,
        map: (ev) => [
          {
            queue: PEERING_QUEUE,
            name: 'plan-all',
            data: {},
            id: `plan-all/${ev.key.name}${encodeTriggers([{ kind: 'cluster', resourceVersion: ev.resourceVersion }])}`,
          },
        ],
      },
    ],
    schedules: [
      { id: 'peering-plan-all', queue: PEERING_QUEUE, everyMs: 300_000, job: { name: 'plan-all', data: {} } },
    ],
    async reconcile(job, ctx) {
      if (job.name === 'plan') {
        const policy = (job.data as { policy: string }).policy;
        const expanded = await expandPolicy(policy, ctx);
        if (expanded.recheckAfterMs === undefined) return { result: expanded.outcome };
        const at = Math.ceil(ctx.clock.now() / expanded.recheckAfterMs) * expanded.recheckAfterMs;
        return {
          result: expanded.outcome,
          requeue: {
            afterMs: expanded.recheckAfterMs,
            id: `plan/${policy}${encodeTriggers([{ kind: 'requeue', at }])}`,
          },
        };
      }
      if (job.name === 'plan-all') {
        const { items } = await ctx.store.list(PEERING_POLICY_TYPE);
        return {
          result: items.length,
          followUps: items.map((p) => ({
            queue: PEERING_QUEUE,
            name: 'plan',
            data: { policy: p.metadata.name },
            id: `plan/${p.metadata.name}${encodeTriggers([{ kind: 'scheduled', jobId: job.id ?? '' }])}`,
          })),
        };
      }
      const data = job.data as PeeringJob;
      if (job.name === 'teardown' && 'last' in data)
        return { result: await teardownPeering(data.last, ctx, props) };
      const result = await syncPeering(data.peering, ctx, props);
      if (result.recheckAfterMs === undefined) return { result };
      // Rounded up to a slot boundary, so the re-checks of several syncs (a change while one was
      // pending) share one job id and merge instead of multiplying.
      const now = ctx.clock.now();
      const at = Math.ceil((now + result.recheckAfterMs) / result.recheckAfterMs) * result.recheckAfterMs;
      return {
        result,
        requeue: {
          afterMs: at - now,
          id: `sync/${data.peering}${encodeTriggers([{ kind: 'requeue', at }])}`,
        },
      };
    },
  });
}
