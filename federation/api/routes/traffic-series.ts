import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { FedgateError } from '../../errors/fedgate-error.js';
import { errorBodySchema } from '../errors.js';

/** One 10-second point of a link's series. */
export interface TrafficSeriesPoint {
  readonly t: number;
  readonly requestsPerSecond: number;
  readonly bytes: number;
  readonly p50Ms: number;
  readonly p90Ms: number;
  readonly p99Ms: number;
  readonly errorRate: number;
}

/** Where a link's history comes from (the gateways' series in Redis; wired by the runtime). */
export type TrafficHistorySource = (
  windowSeconds: number,
  link: { source: string; destination: string; service?: string },
) => Promise<TrafficSeriesPoint[]>;

const pointSchema = z.object({
  t: z.number(),
  requestsPerSecond: z.number(),
  bytes: z.number(),
  p50Ms: z.number(),
  p90Ms: z.number(),
  p99Ms: z.number(),
  errorRate: z.number(),
});

const WINDOW = /^([1-9][0-9]{0,3})(m|h)$/;
const name = z.string().regex(/^[a-z0-9][a-z0-9.-]{0,252}$/, 'must be a cluster name');

/**
 * `GET /traffic/series?source=A&destination=B[&service=ns/name]&window=1h` — one link's traffic per
 * 10-second bucket (rate, bytes, p50/p90/p99, error rate) over up to 6 h: the dashboard's chart of
 * a selected link. `{ "points": [{ "t": <unix s>, "requestsPerSecond", "bytes", "p50Ms", … }] }`.
 */
export const trafficSeriesRoutes: FastifyPluginAsyncZod<{ history: TrafficHistorySource }> = async (
  app,
  { history },
) => {
  app.get(
    '/traffic/series',
    {
      schema: {
        summary: "One link's traffic over time, per 10-second bucket",
        tags: ['traffic'],
        querystring: z.object({
          source: name,
          destination: name,
          service: z.string().max(317).optional(),
          window: z.string().default('1h'),
        }),
        response: { 200: z.object({ points: z.array(pointSchema) }), 400: errorBodySchema },
      },
    },
    async (req) => {
      const m = WINDOW.exec(req.query.window);
      const seconds = m ? Number(m[1]) * (m[2] === 'm' ? 60 : 3600) : Number.NaN;
      if (!(seconds <= 6 * 3600)) {
        throw new FedgateError('BadRequest', 'invalid query: window (e.g. 1h)', [
          { path: 'querystring.window', message: 'must be <n>m or <n>h up to 6h' },
        ]);
      }
      const { source, destination, service } = req.query;
      return { points: await history(seconds, { source, destination, ...(service ? { service } : {}) }) };
    },
  );
};
