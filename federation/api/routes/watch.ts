import type { ServerResponse } from 'node:http';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { forbiddenReason } from '../../auth/roles.js';
import { FedgateError } from '../../errors/fedgate-error.js';
import type { ObjectKey } from '../../resources/kube-object.js';
import { labelNameSchema } from '../../resources/names.js';
import type { ChangeEvent, ResourceStore } from '../../store/resource-store.js';
import { objectAccess } from '../auth.js';
import { errorBodySchema } from '../errors.js';
import type { ApiMetrics } from '../metrics.js';
import { redactCredentials } from '../redact-credentials.js';
import { resolveUrlType } from '../types.js';
import type { WatchHub } from '../watch-hub.js';

/** Options of the watch route. */
export interface WatchRoutesProps {
  readonly store: ResourceStore;
  readonly hub: WatchHub;
  readonly metrics: ApiMetrics;
  /** Interval of the keep-alive comments (ms). Default 15,000. */
  readonly keepAliveMs?: number;
}

/** A watcher that reads slower than this many buffered bytes is dropped rather than grow without bound. */
const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;

/**
 * `GET /watch`: server-sent events of every change after `resourceVersion` (or `Last-Event-ID`;
 * from now when neither is given), optionally of one type and namespace. Each event is
 * `id: <rv>`, `event: ADDED|MODIFIED|DELETED`, `data: {"type", "key", "object"}`; a watch that cannot
 * continue ends with `event: ERROR` carrying a Kubernetes-like Status (410 Expired: list again).
 */
export const watchRoutes: FastifyPluginAsyncZod<WatchRoutesProps> = async (app, props) => {
  const keepAliveMs = props.keepAliveMs ?? 15_000;
  app.get(
    '/watch',
    {
      schema: {
        summary: 'Watch changes as server-sent events',
        tags: ['watch'],
        produces: ['text/event-stream'],
        querystring: z.object({
          resourceVersion: z
            .string()
            .regex(/^\d+$/, 'must be a resourceVersion (digits)')
            .optional()
            .describe('send changes after this version; default: from now'),
          type: z.string().optional().describe('only this type key'),
          namespace: labelNameSchema.optional().describe('only this namespace'),
        }),
        response: { 400: errorBodySchema },
      },
    },
    async (req, reply) => {
      const q = req.query;
      const type = q.type === undefined ? undefined : resolveUrlType(q.type).key;
      const lastEventId = req.headers['last-event-id'];
      let from = q.resourceVersion ?? (typeof lastEventId === 'string' ? lastEventId : undefined);
      if (from !== undefined && !/^\d+$/.test(from)) {
        throw new FedgateError('BadRequest', 'Last-Event-ID: must be a resourceVersion (digits)');
      }
      from ??= await props.store.currentResourceVersion();

      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      res.write(`retry: 2000\n: watching from resourceVersion ${from}\n\n`);
      props.metrics.watchers.inc();

      let done = false;
      let unsubscribe: (() => void) | undefined;
      const finish = () => {
        if (done) return;
        done = true;
        clearInterval(keepAlive);
        unsubscribe?.();
        props.metrics.watchers.dec();
        if (!res.writableEnded) res.end();
      };
      const keepAlive = setInterval(() => write(res, ': keep-alive\n\n', finish), keepAliveMs);
      keepAlive.unref();
      req.raw.on('close', finish);
      res.on('close', finish);

      const filter = {
        ...(type === undefined ? {} : { type }),
        ...(q.namespace === undefined ? {} : { namespace: q.namespace }),
      };
      const fail = (err: FedgateError) => {
        write(res, formatError(err), finish);
        finish();
      };
      // Each watcher sees only what its token may read (an app team its namespaces, no viewer Secrets).
      const principal = req.principal;
      const visible = (key: ObjectKey) =>
        principal === undefined ||
        forbiddenReason(
          principal,
          objectAccess('read', resolveUrlType(key.type), key.namespace, key.name),
        ) === undefined;
      try {
        unsubscribe = await props.hub.subscribe(from, filter, {
          event: (ev) => {
            if (visible(ev.key)) write(res, formatEvent(ev), finish);
          },
          error: fail,
        });
        if (done) unsubscribe();
      } catch (err) {
        req.log.warn({ err }, 'watch could not start');
        fail(err instanceof FedgateError ? err : new FedgateError('Internal', 'watch failed'));
      }
    },
  );
};

function write(res: ServerResponse, chunk: string, finish: () => void): void {
  if (res.writableEnded || res.destroyed) return;
  if (res.writableLength > MAX_BUFFERED_BYTES) {
    res.write(formatError(new FedgateError('Throttled', 'watcher too slow: events dropped; watch again')));
    finish();
    return;
  }
  res.write(chunk);
}

/** One change as a server-sent event. */
export function formatEvent(ev: ChangeEvent): string {
  const data = JSON.stringify({ type: ev.type, key: ev.key, object: redactCredentials(ev.object) });
  return `id: ${ev.resourceVersion}\nevent: ${ev.type}\ndata: ${data}\n\n`;
}

/** The final ERROR event: a Kubernetes-like Status. */
function formatError(err: FedgateError): string {
  const status = {
    apiVersion: 'v1',
    kind: 'Status',
    status: 'Failure',
    code: err.status,
    reason: err.code,
    message: err.message,
  };
  return `event: ERROR\ndata: ${JSON.stringify({ type: 'ERROR', object: status })}\n\n`;
}
