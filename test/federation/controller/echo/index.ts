import { type Controller, defineController } from '../../../../federation/controller/controller.js';
import { jobIds } from '../../../../federation/controller/job-ids.js';

/** The payload of an echo job. */
export interface EchoJob {
  readonly name: string;
  /** 0 for the first pass, 1 for the requeued one. */
  readonly round: number;
}

/**
 * A controller written as any new one would be: its own queue, a watch turning ConfigMap changes
 * into jobs, a schedule, and a reconcile that records each pass in Redis and asks to be run once
 * more (a requeue) with a follow-up job on the same queue.
 */
export function echoController(key: string): Controller {
  return defineController({
    name: 'echo',
    queues: [{ name: 'echo', concurrency: 2, jobOptions: { attempts: 2, removeOnComplete: 100 } }],
    watches: [
      {
        types: (t) => t === 'ConfigMap.v1',
        map: (ev) => [
          {
            queue: 'echo',
            name: 'echo',
            data: { name: ev.key.name, round: 0 } satisfies EchoJob,
            id: jobIds.maintenance('echo', ev.key.name, [
              { kind: 'cluster', resourceVersion: ev.resourceVersion },
            ]),
          },
        ],
      },
    ],
    schedules: [{ id: 'echo-tick', queue: 'echo', everyMs: 200, job: { name: 'tick', data: {} } }],
    async reconcile(job, ctx) {
      if (job.name === 'tick') {
        await ctx.redis.incr(`${key}:ticks`);
        return { result: 'ticked' };
      }
      if (job.name === 'follow') {
        await ctx.redis.rpush(`${key}:passes`, `follow:${(job.data as EchoJob).name}`);
        return { result: 'followed' };
      }
      const data = job.data as EchoJob;
      await ctx.redis.rpush(`${key}:passes`, `${data.name}:${data.round}`);
      if (data.round > 0) return { result: 'again' };
      return {
        result: 'first',
        requeue: { afterMs: 50, id: `${job.id}+again`, data: { ...data, round: 1 } },
        followUps: [{ queue: 'echo', name: 'follow', data, id: `${job.id}+follow` }],
      };
    },
  });
}
