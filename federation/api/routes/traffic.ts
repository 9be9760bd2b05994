import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { type CostOverrides, defaultCostModel, type Provider } from '../../../placement/index.js';
import { HOURS_PER_MONTH } from '../../../placement/model-types.js';
import { FedgateError } from '../../errors/fedgate-error.js';
import { MEMBER_CLUSTER_TYPE } from '../../resources/kinds.js';
import type { MemberClusterSpec } from '../../resources/member-cluster.js';
import type { ResourceStore } from '../../store/resource-store.js';
import { errorBodySchema } from '../errors.js';

/** One measured link over the window, as the gateways reported it (source side). */
export interface TrafficSample {
  readonly source: string;
  readonly destination: string;
  /** `namespace/name`; empty for a cluster-pair total. */
  readonly service: string;
  readonly requestsPerSecond: number;
  readonly bytesIn: number;
  readonly bytesOut: number;
  readonly p50Ms: number;
  readonly p90Ms: number;
  readonly p99Ms: number;
  readonly errorRate: number;
}

/** Where the measured traffic comes from (the gateways' series in Redis; wired by the runtime). */
export interface TrafficSource {
  window(
    seconds: number,
  ): Promise<{ windowSeconds: number; services: TrafficSample[]; pairs: TrafficSample[] }>;
}

/** Options of the traffic route. */
export interface TrafficRoutesProps {
  readonly store: ResourceStore;
  readonly traffic: TrafficSource;
}

const linkSchema = z.object({
  source: z.string(),
  destination: z.string(),
  service: z.string().optional(),
  requestsPerSecond: z.number(),
  bytesIn: z.number(),
  bytesOut: z.number(),
  p50Ms: z.number(),
  p90Ms: z.number(),
  p99Ms: z.number(),
  errorRate: z.number(),
  egressCostPerHour: z.number(),
  egressCostPerMonth: z.number(),
});

const answerSchema = z.object({
  window: z.string(),
  windowSeconds: z.number(),
  generatedAt: z.string(),
  links: z.array(linkSchema),
  services: z.array(linkSchema),
});

const WINDOW = /^([1-9][0-9]{0,4})(s|m|h)$/;
const MAX_WINDOW_SECONDS = 6 * 3600;
const GIB = 1024 ** 3;

/**
 * `GET /api/v1/traffic?window=5m` — the traffic matrix measured by the east-west gateways (the
 * dashboard's data source). `window` is `<n>s|m|h`, up to 6h, default 5m. The answer:
 *
 * ```json
 * { "window": "5m", "windowSeconds": 300, "generatedAt": "2026-…Z",
 *   "links":    [{ "source": "eu-1", "destination": "us-1", "requestsPerSecond": 41.2,
 *                  "bytesIn": 12_000_000, "bytesOut": 48_000_000, "p50Ms": 1.8, "p90Ms": 3.1,
 *                  "p99Ms": 7.9, "errorRate": 0.001, "egressCostPerHour": 0.013,
 *                  "egressCostPerMonth": 9.49 }],
 *   "services": [{ …the same fields…, "service": "shop/cart" }] }
 * ```
 *
 * `links` has one entry per source cluster → destination cluster (every service together);
 * `services` splits them per destination service (empty with `services=false`). Rates and bytes are over the window as
 * covered so far; latencies are percentiles of the source gateway's end-to-end time (both hops),
 * from merged histograms; `errorRate` counts 5xx answers and calls that got none. Egress cost
 * uses the placement cost model's prices (the source cluster pays for request bytes to the
 * destination, the destination for response bytes back; a MemberCluster's `spec.cost.egressPerGiB`
 * overrides the price list), extrapolated from the window to an hour and a 730-hour month. A link
 * within one cluster costs nothing.
 */
export const trafficRoutes: FastifyPluginAsyncZod<TrafficRoutesProps> = async (app, { store, traffic }) => {
  app.get(
    '/traffic',
    {
      schema: {
        summary: 'Traffic matrix between member clusters, measured by the gateways',
        tags: ['traffic'],
        querystring: z.object({
          window: z.string().default('5m'),
          services: z.enum(['true', 'false']).default('true'),
        }),
        response: { 200: answerSchema, 400: errorBodySchema },
      },
    },
    async (req) => {
      const m = WINDOW.exec(req.query.window);
      const seconds = m ? Number(m[1]) * (m[2] === 's' ? 1 : m[2] === 'm' ? 60 : 3600) : Number.NaN;
      if (!(seconds <= MAX_WINDOW_SECONDS)) {
        throw new FedgateError('BadRequest', 'invalid query: window (e.g. 5m)', [
          { path: 'querystring.window', message: 'must be <n>s, <n>m or <n>h up to 6h' },
        ]);
      }
      const [measured, clusters] = await Promise.all([
        traffic.window(seconds),
        store.list(MEMBER_CLUSTER_TYPE),
      ]);
      const where = new Map<string, MemberClusterSpec>();
      for (const c of clusters.items) where.set(c.metadata.name, c.spec as MemberClusterSpec);
      const perHour = 3600 / measured.windowSeconds;
      const priced = (l: TrafficSample) => {
        const cost = egressCost(where, l) * perHour;
        const { service, ...rest } = l;
        return {
          ...rest,
          ...(service === '' ? {} : { service }),
          egressCostPerHour: cost,
          egressCostPerMonth: cost * HOURS_PER_MONTH,
        };
      };
      return {
        window: req.query.window,
        windowSeconds: measured.windowSeconds,
        generatedAt: new Date().toISOString(),
        links: measured.pairs.map(priced),
        // The dashboard's matrix needs only the pairs: `services=false` halves the answer.
        services: req.query.services === 'false' ? [] : measured.services.map(priced),
      };
    },
  );
};

/** USD for the window's bytes on one link; 0 when a cluster is unknown or the link stays inside one cluster. */
function egressCost(where: Map<string, MemberClusterSpec>, l: TrafficSample): number {
  const src = where.get(l.source);
  const dst = where.get(l.destination);
  if (l.source === l.destination || src === undefined || dst === undefined) return 0;
  const model = defaultCostModel;
  const ref = (s: MemberClusterSpec) => ({ provider: s.provider as Provider, region: s.region });
  const overrides = (s: MemberClusterSpec): CostOverrides | undefined =>
    s.cost?.egressPerGiB === undefined ? undefined : { egressPerGiB: s.cost.egressPerGiB };
  const out = model.egressPerGiB(ref(src), ref(dst), overrides(src)) * (l.bytesIn / GIB);
  const back = model.egressPerGiB(ref(dst), ref(src), overrides(dst)) * (l.bytesOut / GIB);
  return out + back;
}
