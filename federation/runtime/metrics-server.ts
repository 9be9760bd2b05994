import Fastify from 'fastify';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';

/** A running metrics endpoint. */
export interface MetricsServer {
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Serves a registry for Prometheus at `/metrics` (and `/healthz`), for processes without the API:
 * a standalone `fedgate worker` exposes its job counters and durations this way.
 */
export async function startMetricsServer(props: {
  readonly registry: Registry;
  readonly host?: string;
  readonly port: number;
  readonly log: Logger;
}): Promise<MetricsServer> {
  const app = Fastify({
    loggerInstance: props.log.child({ component: 'metrics' }),
    disableRequestLogging: true,
  });
  app.get('/metrics', async (_req, reply) => {
    reply.type(props.registry.contentType);
    return props.registry.metrics();
  });
  app.get('/healthz', async () => ({ status: 'ok' }));
  const url = await app.listen({ host: props.host ?? '127.0.0.1', port: props.port });
  return { url, close: () => app.close() };
}
