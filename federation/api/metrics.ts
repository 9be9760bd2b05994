import type { FastifyInstance } from 'fastify';
import { Counter, collectDefaultMetrics, Gauge, Histogram, type Registry } from 'prom-client';

/** The HTTP metrics of the API, registered once per registry. */
export interface ApiMetrics {
  readonly requests: Counter<'method' | 'route' | 'status'>;
  readonly duration: Histogram<'method' | 'route' | 'status'>;
  readonly watchers: Gauge;
}

/**
 * Gets or creates the API metrics in `registry` (so building two servers on one registry does not
 * throw), and makes sure the default process metrics are collected there too.
 */
export function apiMetrics(registry: Registry): ApiMetrics {
  if (registry.getSingleMetric('process_cpu_user_seconds_total') === undefined) {
    collectDefaultMetrics({ register: registry });
  }
  const requests =
    (registry.getSingleMetric('fedgate_http_requests_total') as ApiMetrics['requests'] | undefined) ??
    new Counter({
      name: 'fedgate_http_requests_total',
      help: 'HTTP requests answered by the fedgate API, by method, route and status',
      labelNames: ['method', 'route', 'status'] as const,
      registers: [registry],
    });
  const duration =
    (registry.getSingleMetric('fedgate_http_request_duration_seconds') as
      | ApiMetrics['duration']
      | undefined) ??
    new Histogram({
      name: 'fedgate_http_request_duration_seconds',
      help: 'Time to answer an HTTP request of the fedgate API, by method, route and status',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    });
  const watchers =
    (registry.getSingleMetric('fedgate_api_watchers') as Gauge | undefined) ??
    new Gauge({
      name: 'fedgate_api_watchers',
      help: 'Open watch streams (server-sent events) of the fedgate API',
      registers: [registry],
    });
  return { requests, duration, watchers };
}

/** Counts and times every answered request by its route pattern (never the raw URL: bounded labels). */
export function registerHttpMetrics(app: FastifyInstance, metrics: ApiMetrics): void {
  app.addHook('onResponse', async (req, reply) => {
    const labels = {
      method: req.method,
      route: req.routeOptions.url ?? 'unmatched',
      status: String(reply.statusCode),
    };
    metrics.requests.inc(labels);
    metrics.duration.observe(labels, reply.elapsedTime / 1000);
  });
}
