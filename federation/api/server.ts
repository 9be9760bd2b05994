import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { describePrincipal } from '../auth/roles.js';
import { SessionStore } from '../auth/session-store.js';
import { TokenStore } from '../auth/token-store.js';
import { FedgateError } from '../errors/fedgate-error.js';
import { redisUnavailableReason } from '../redis/connection-factory.js';
import { checkNesting, MAX_NESTING_DEPTH } from '../resources/nesting.js';
import type { ResourceStore } from '../store/resource-store.js';
import { bearerAuth } from './auth.js';
import { registerErrorHandlers } from './errors.js';
import { apiMetrics, registerHttpMetrics } from './metrics.js';
import { registerOpenApi } from './openapi.js';
import { redactCredentials } from './redact-credentials.js';
import { applyRoutes } from './routes/apply.js';
import { explainRoutes } from './routes/explain.js';
import { type GatewayControl, gatewayRoutes } from './routes/gateways.js';
import { healthRoutes } from './routes/health.js';
import { objectRoutes } from './routes/objects.js';
import { type PeeringConfigSource, peeringConfigRoutes } from './routes/peering-config.js';
import { peeringPlanRoutes } from './routes/peering-plan.js';
import { regionRoutes } from './routes/regions.js';
import { simulateRoutes } from './routes/simulate.js';
import { tokenRoutes } from './routes/tokens.js';
import { type TrafficSource, trafficRoutes } from './routes/traffic.js';
import { type TrafficHistorySource, trafficSeriesRoutes } from './routes/traffic-series.js';
import { watchRoutes } from './routes/watch.js';
import { sessionAuth, sessionRoutes, sessionStatusRoute } from './session.js';
import { SimulationRunner } from './simulation-runner.js';
import { defaultUiDir, uiStaticRoutes } from './ui-static.js';
import { WatchHub } from './watch-hub.js';

/** Options of the API server. */
export interface ApiServerProps {
  /** The desired-state store the API reads and writes. */
  readonly store: ResourceStore;
  /**
   * The server's own bearer token: an admin, which makes the named tokens (kept hashed in the
   * store's Redis). Never logged.
   */
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
  /** The gateways' measured traffic; serves `/api/v1/traffic` when given. */
  readonly traffic?: TrafficSource;
  /** Heap bound of one simulation's worker thread (MiB). Default 2048. */
  readonly simulationMemoryMb?: number;
  /** One link's traffic over time; serves `/api/v1/traffic/series` when given. */
  readonly trafficHistory?: TrafficHistorySource;
  /** Peerings' on-prem VPN configuration; serves `/api/v1/peerings/:name/config` (admins only) when given. */
  readonly peeringConfigs?: PeeringConfigSource;
  /** The federation CA and gateway configuration; serves `/api/v1/gateways/:cluster/…` when given. */
  readonly gateways?: GatewayControl;
  /** Folder of the built dashboard served at `/ui`. Default: `dist/ui` beside package.json. */
  readonly uiDir?: string;
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
  // A CloudCredential's secret fields, should an object or a credential ever reach a log line.
  ...['secretAccessKey', 'sessionToken', 'accessToken', 'serviceAccountKey', 'clientSecret'].flatMap((f) => [
    f,
    `*.${f}`,
    `*.spec.${f}`,
  ]),
];

/**
 * Builds the fedgate HTTP API (not yet listening): CRUD of every kind, bulk apply, watch (SSE),
 * explain, simulate (what-if), named tokens with roles, `/healthz`, `/readyz`, `/metrics` and
 * `/openapi.json`. Everything under `/api` needs `Authorization: Bearer <token>`, and the token's
 * role must allow the request (403 with the reason otherwise).
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
  registerErrorHandlers(app, { bodyLimitBytes: bodyLimit });
  registerJsonOnly(app, bodyLimit);
  // CloudCredentials' secret fields never leave in an answer, whatever the route.
  app.addHook('preSerialization', async (_req, _reply, payload) => redactCredentials(payload));

  const metrics = apiMetrics(props.metrics);
  registerHttpMetrics(app, metrics);
  await registerOpenApi(app);

  const hub = new WatchHub({ store: props.store, logger });
  const runner = new SimulationRunner(
    props.simulationMemoryMb === undefined ? {} : { maxMemoryMb: props.simulationMemoryMb },
  );
  app.addHook('preClose', async () => {
    await hub.close();
    await runner.close();
  });

  await app.register(healthRoutes, { ready: props.ready, metrics: props.metrics });
  const tokens = new TokenStore(props.store.redis, props.store.prefix);
  const auth = bearerAuth(props.token, tokens);
  await app.register(uiStaticRoutes(props.uiDir ?? defaultUiDir()));
  const sessions = new SessionStore({ redis: props.store.redis, prefix: props.store.prefix });
  await app.register(sessionStatusRoute(sessions));
  await app.register(
    async (api) => {
      // The dashboard's session cookie stands in for the bearer header (session.ts).
      api.addHook('onRequest', sessionAuth(sessions));
      api.addHook('onRequest', auth);
      // A gateway's token opens its gateway routes and nothing else, whatever other routes check.
      api.addHook('onRequest', async (req) => {
        if (req.principal?.role === 'gateway' && !req.routeOptions.url?.startsWith('/api/v1/gateways/'))
          throw new FedgateError(
            'Forbidden',
            `${describePrincipal(req.principal)} may only use its gateway's routes (/api/v1/gateways/${req.principal.cluster ?? '…'}/…)`,
          );
      });
      // Without Redis every route would wait for it: answer 503 at once instead.
      api.addHook('onRequest', async () => {
        const down = redisUnavailableReason(props.store.redis);
        if (down) throw new FedgateError('Unavailable', `${down}; retry shortly`);
      });
      await api.register(sessionRoutes(sessions));
      await api.register(regionRoutes);
      await api.register(objectRoutes, { store: props.store });
      await api.register(tokenRoutes, { tokens });
      await api.register(applyRoutes, { store: props.store, runner });
      await api.register(explainRoutes, { store: props.store });
      await api.register(simulateRoutes, { store: props.store, runner });
      if (props.traffic) await api.register(trafficRoutes, { store: props.store, traffic: props.traffic });
      await api.register(peeringPlanRoutes, { store: props.store });
      if (props.gateways) await api.register(gatewayRoutes, { control: props.gateways });
      if (props.peeringConfigs)
        await api.register(peeringConfigRoutes, { store: props.store, configs: props.peeringConfigs });
      if (props.trafficHistory) await api.register(trafficSeriesRoutes, { history: props.trafficHistory });
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
 * is broken, refusing `__proto__` keys and nesting deep enough to break recursive code later.
 */
function registerJsonOnly(app: FastifyInstance, bodyLimit: number): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit }, (_req, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') {
      done(new FedgateError('BadRequest', 'the body is empty; send a JSON object'), undefined);
      return;
    }
    let parsed: unknown;
    try {
      // No reviver: JSON.parse itself takes any depth, a (recursive) reviver does not.
      parsed = JSON.parse(text);
    } catch (err) {
      done(new FedgateError('BadRequest', `malformed JSON body: ${(err as Error).message}`), undefined);
      return;
    }
    try {
      // The envelope ({items: [...]}, a simulation's fleet) adds a few levels to an object's own.
      checkNesting(parsed, MAX_NESTING_DEPTH + BODY_ENVELOPE_DEPTH);
      done(null, parsed);
    } catch (err) {
      done(err as Error, undefined);
    }
  });
}

/** Levels a request body may add around the objects it carries. */
const BODY_ENVELOPE_DEPTH = 8;
