import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { FedgateError } from '../errors/fedgate-error.js';
import type { ResourceStore } from '../store/resource-store.js';
import { bearerAuth } from './auth.js';
import { registerErrorHandlers } from './errors.js';
import { apiMetrics, registerHttpMetrics } from './metrics.js';
import { registerOpenApi } from './openapi.js';
import { applyRoutes } from './routes/apply.js';
import { explainRoutes } from './routes/explain.js';
import { healthRoutes } from './routes/health.js';
import { objectRoutes } from './routes/objects.js';
import { simulateRoutes } from './routes/simulate.js';
import { watchRoutes } from './routes/watch.js';
import { WatchHub } from './watch-hub.js';

/** Options of the API server. */
export interface ApiServerProps {
  /** The desired-state store the API reads and writes. */
  readonly store: ResourceStore;
  /** The bearer token every `/api` request must present. Never logged. */
  readonly token: string;
  /** The process logger; the server logs through a child that redacts credentials. */
  readonly logger: Logger;
  /** The process metrics registry; HTTP and default process metrics are added to it. */
  readonly metrics: Registry;
  /** Readiness: true, or false / a reason string when not ready. */
  readonly ready: () => Promise<boolean | string>;
  /** Largest accepted request body. Default 4 MiB. */
  readonly bodyLimitBytes?: number;
  /** Interval of watch keep-alive comments (ms). Default 15,000. */
  readonly watchKeepAliveMs?: number;
}

/** The default largest request body: 4 MiB. */
export const DEFAULT_BODY_LIMIT_BYTES = 4 * 1024 * 1024;

/**
 * Log paths that may hold a credential; pass them to `pino({ redact })` where the process logger is
 * made. The API also applies them to its own child logger.
 */
export const API_LOG_REDACT_PATHS: readonly string[] = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'request.headers.authorization',
  'token',
  '*.token',
];

/**
 * Builds the fedgate HTTP API (not yet listening): CRUD of every kind, bulk apply, watch (SSE),
 * explain, simulate (what-if), `/healthz`, `/readyz`, `/metrics` and `/openapi.json`. Everything under `/api` needs
 * `Authorization: Bearer <token>`.
 */
export async function buildApiServer(props: ApiServerProps): Promise<FastifyInstance> {
  const logger = props.logger.child(
    { component: 'api' },
    { redact: { paths: [...API_LOG_REDACT_PATHS], censor: '[redacted]' } },
  );
  const bodyLimit = props.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES;
  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    bodyLimit,
    // Open watch streams would otherwise hold close() up; preClose ends them politely first.
    forceCloseConnections: true,
    return503OnClosing: true,
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerErrorHandlers(app);
  registerJsonOnly(app, bodyLimit);

  const metrics = apiMetrics(props.metrics);
  registerHttpMetrics(app, metrics);
  await registerOpenApi(app);

  const hub = new WatchHub({ store: props.store, logger });
  app.addHook('preClose', async () => {
    await hub.close();
  });

  await app.register(healthRoutes, { ready: props.ready, metrics: props.metrics });
  const auth = bearerAuth(props.token);
  await app.register(
    async (api) => {
      api.addHook('onRequest', auth);
      await api.register(objectRoutes, { store: props.store });
      await api.register(applyRoutes, { store: props.store });
      await api.register(explainRoutes, { store: props.store });
      await api.register(simulateRoutes, { store: props.store });
      await api.register(watchRoutes, {
        store: props.store,
        hub,
        metrics,
        ...(props.watchKeepAliveMs === undefined ? {} : { keepAliveMs: props.watchKeepAliveMs }),
      });
    },
    { prefix: '/api/v1' },
  );
  return app;
}

/**
 * Accepts only JSON bodies (anything else is 415), parsed with a message that says where the JSON
 * is broken, and refusing `__proto__` keys.
 */
function registerJsonOnly(app: FastifyInstance, bodyLimit: number): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit }, (_req, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') {
      done(new FedgateError('BadRequest', 'the body is empty; send a JSON object'), undefined);
      return;
    }
    try {
      done(null, JSON.parse(text, refuseProto));
    } catch (err) {
      if (err instanceof FedgateError) done(err, undefined);
      else done(new FedgateError('BadRequest', `malformed JSON body: ${(err as Error).message}`), undefined);
    }
  });
}

function refuseProto(key: string, value: unknown): unknown {
  if (key === '__proto__')
    throw new FedgateError('BadRequest', 'malformed JSON body: "__proto__" keys are not accepted');
  return value;
}
