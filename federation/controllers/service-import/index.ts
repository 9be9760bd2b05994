import type { ControllerContext } from '../../controller/context.js';
import { type Controller, defineController } from '../../controller/controller.js';
import { encodeTriggers } from '../../controller/job-ids.js';
import { isFedgateError } from '../../errors/fedgate-error.js';
import { MEMBER_CLUSTER_TYPE, SERVICE_EXPORT_TYPE, SERVICE_IMPORT_TYPE } from '../../resources/kinds.js';
import type { KubeObject } from '../../resources/kube-object.js';
import type { ServiceExportSpec } from '../../resources/peering-kinds.js';
import { serviceImportFor } from '../../resources/service-import.js';

/** The queue of ServiceImport upkeep. */
export const SERVICE_IMPORT_QUEUE = 'service-import';

/** Payload of a sync job: one exported service. */
export interface ServiceImportJob {
  readonly namespace: string;
  readonly name: string;
}

/** What one sync did. */
export type ServiceImportResult = 'created' | 'updated' | 'unchanged' | 'deleted' | 'absent';

/**
 * Keeps a ServiceImport (the MCS API's) beside every ServiceExport: same namespace and name, its
 * ports, and in `status.clusters` the registered member clusters that serve it. Runs on every
 * change of a ServiceExport, and for every export when member clusters come or go.
 */
export function serviceImportController(): Controller {
  return defineController({
    name: 'service-import',
    queues: [
      {
        name: SERVICE_IMPORT_QUEUE,
        concurrency: 4,
        jobOptions: {
          attempts: 5,
          backoff: { type: 'exponential', delay: 500 },
          removeOnComplete: { age: 600, count: 500 },
          removeOnFail: { age: 24 * 3600, count: 500 },
        },
      },
    ],
    watches: [
      {
        types: (t) => t === SERVICE_EXPORT_TYPE,
        map: (ev) => [
          {
            queue: SERVICE_IMPORT_QUEUE,
            name: 'sync',
            data: { namespace: ev.key.namespace, name: ev.key.name } satisfies ServiceImportJob,
            id: `sync/${ev.key.namespace}/${ev.key.name}${encodeTriggers([{ kind: 'policy', resourceVersion: ev.resourceVersion }])}`,
          },
        ],
      },
      {
        // A cluster registered or removed changes which clusters can serve.
        types: (t) => t === MEMBER_CLUSTER_TYPE,
        map: (ev) =>
          ev.type === 'MODIFIED'
            ? []
            : [
                {
                  queue: SERVICE_IMPORT_QUEUE,
                  name: 'sync-all',
                  data: {},
                  id: `sync-all${encodeTriggers([{ kind: 'cluster', resourceVersion: ev.resourceVersion }])}`,
                },
              ],
      },
    ],
    async reconcile(job, ctx) {
      if (job.name === 'sync-all') {
        const [exports, imports] = await Promise.all([
          ctx.store.list(SERVICE_EXPORT_TYPE),
          ctx.store.list(SERVICE_IMPORT_TYPE),
        ]);
        const keys = new Set(
          [...exports.items, ...imports.items].map(
            (o) => `${o.metadata.namespace ?? 'default'}/${o.metadata.name}`,
          ),
        );
        const results: ServiceImportResult[] = [];
        for (const k of keys) {
          const [namespace = '', name = ''] = k.split('/');
          results.push(await syncServiceImport(ctx, { namespace, name }));
        }
        return { result: results };
      }
      return { result: await syncServiceImport(ctx, job.data as ServiceImportJob) };
    },
  });
}

/** Brings the ServiceImport of one exported service in line with its ServiceExport (level-triggered). */
export async function syncServiceImport(
  ctx: ControllerContext,
  s: ServiceImportJob,
): Promise<ServiceImportResult> {
  const importKey = { type: SERVICE_IMPORT_TYPE, namespace: s.namespace, name: s.name };
  const [exported, current] = await Promise.all([
    ctx.store.get({ type: SERVICE_EXPORT_TYPE, namespace: s.namespace, name: s.name }),
    ctx.store.get(importKey),
  ]);
  if (exported === undefined) {
    if (current === undefined) return 'absent';
    try {
      await ctx.store.delete(importKey, { resourceVersion: current.metadata.resourceVersion });
    } catch (err) {
      if (!isFedgateError(err, 'NotFound')) throw err;
    }
    return 'deleted';
  }
  const clusters = await ctx.store.list(MEMBER_CLUSTER_TYPE);
  const want = serviceImportFor(
    exported as KubeObject & { spec: ServiceExportSpec },
    new Set(clusters.items.map((c) => c.metadata.name)),
  );
  if (
    current !== undefined &&
    JSON.stringify(current.spec) === JSON.stringify(want.spec) &&
    JSON.stringify(current.status) === JSON.stringify(want.status)
  )
    return 'unchanged';
  // Compare-and-set against what was read: a concurrent sync makes this one retry from a fresh read.
  await ctx.store.save(importKey, want, current);
  return current === undefined ? 'created' : 'updated';
}
