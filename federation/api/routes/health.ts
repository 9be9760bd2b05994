import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Registry } from 'prom-client';
import { z } from 'zod';
import { errorBodySchema } from '../errors.js';

/** Options of the unauthenticated probe routes. */
export interface HealthRoutesProps {
  readonly ready: () => Promise<boolean | string>;
  readonly metrics: Registry;
}

const okSchema = z.object({ status: z.string() });

/** `/healthz` (the process answers), `/readyz` (dependencies usable) and `/metrics` (Prometheus text). */
export const healthRoutes: FastifyPluginAsyncZod<HealthRoutesProps> = async (app, props) => {
  app.get(
    '/healthz',
    { schema: { summary: 'Liveness: the process answers', tags: ['health'], response: { 200: okSchema } } },
    async () => ({ status: 'ok' }),
  );

  app.get(
    '/readyz',
    {
      schema: {
        summary: 'Readiness: the API can serve (Redis reachable, …)',
        tags: ['health'],
        response: { 200: okSchema, 503: errorBodySchema },
      },
    },
    async (req, reply) => {
      let verdict: boolean | string;
      try {
        verdict = await props.ready();
      } catch (err) {
        req.log.warn({ err }, 'readiness check failed');
        verdict = err instanceof Error ? err.message : String(err);
      }
      if (verdict === true) return { status: 'ready' };
      return reply.code(503).send({
        code: 'Unavailable',
        message: typeof verdict === 'string' && verdict !== '' ? verdict : 'not ready',
      });
    },
  );

  app.get(
    '/metrics',
    { schema: { summary: 'Prometheus metrics', tags: ['health'], produces: ['text/plain'] } },
    async (_req, reply) => {
      const text = await props.metrics.metrics();
      return reply.type(props.metrics.contentType).send(text);
    },
  );
};
