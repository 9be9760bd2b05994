import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { readTrafficHistory } from '../../peering/gateway/traffic-history.js';
import { TrafficWindowReader } from '../../peering/gateway/traffic-window.js';
import { buildApiServer } from '../api/server.js';
import { RedisTunnelKeyVault, vaultKeyPrefix } from '../controllers/peering/redis-key-vault.js';
import { connectRedis, redisUnavailableReason, whenReady } from '../redis/connection-factory.js';
import { EncryptionConfigSealer } from '../store/encryption/sealer.js';
import { SEALED_TYPES, type SecretCodec } from '../store/encryption/secret-codec.js';
import { ResourceStore } from '../store/resource-store.js';
import { gatewayControl } from './gateway-control.js';

/** Settings of an API server process. */
export interface ApiProcessProps {
  readonly redisUrl: string;
  readonly storePrefix?: string;
  readonly token: string;
  readonly host?: string;
  readonly port?: number;
  readonly log: Logger;
  readonly metrics: Registry;
  /** How Secrets are kept at rest (see secretCodecFor); default: as they are. */
  readonly secrets?: SecretCodec;
  /**
   * The federation CA's operator key and trust domain: with them the API signs gateways' CSRs and
   * serves their configuration (`/api/v1/gateways/…`, for `gateway` tokens).
   */
  readonly gateways?: {
    readonly federation: string;
    readonly operatorKey: Buffer;
    readonly maxCertTtlMs?: number;
  };
}

/** A listening API server. */
export interface ApiProcess {
  readonly url: string;
  readonly store: ResourceStore;
  readonly server: FastifyInstance;
  close(): Promise<void>;
}

/** Starts the HTTP API on the store in Redis; ready while Redis answers. */
export async function startApi(props: ApiProcessProps): Promise<ApiProcess> {
  // Requests fail fast while Redis is away: a caller gets 503 at once, not after the retries.
  const redis = connectRedis(props.redisUrl, 'request', props.log);
  // The first requests should find the connection up; a Redis still down after this is reported by /readyz.
  await whenReady(redis, 5_000);
  const store = new ResourceStore(redis, {
    ...(props.storePrefix ? { prefix: props.storePrefix } : {}),
    ...(props.secrets ? { codec: props.secrets } : {}),
  });
  if (props.secrets) {
    // Secrets sealed with an older key (or stored before encryption) are re-sealed with the current one.
    for (const type of SEALED_TYPES)
      store.objects
        .rewriteStale(type)
        .then(
          (n) =>
            n > 0 &&
            props.log.info({ type, objects: n }, 're-sealed objects with the current encryption key'),
        )
        .catch((err: unknown) =>
          props.log.warn({ type, err: (err as Error).message }, 'could not re-seal stored objects'),
        );
  }
  const trafficWindows = new TrafficWindowReader(redis, props.storePrefix ?? 'fg');
  // The on-prem VPN configuration the peering controller keeps sealed beside the tunnel keys
  // (federation/runtime/worker-cloud.ts): readable here when the API holds the same keys.
  const encryption = props.secrets?.config;
  const peeringConfigs = encryption?.writeKey
    ? new RedisTunnelKeyVault(
        redis,
        vaultKeyPrefix(props.storePrefix),
        new EncryptionConfigSealer(encryption),
      )
    : undefined;
  const server = await buildApiServer({
    store,
    token: props.token,
    logger: props.log,
    metrics: props.metrics,
    // The gateways write their traffic series under the store's prefix (see peering/gateway/traffic-series.ts).
    traffic: { window: (s) => trafficWindows.read(s) },
    trafficHistory: (s, link) => readTrafficHistory(redis, props.storePrefix ?? 'fg', s, link),
    ...(peeringConfigs ? { peeringConfigs } : {}),
    ...(props.gateways
      ? {
          gateways: gatewayControl({
            store,
            redis,
            prefix: props.storePrefix ?? 'fg',
            ...props.gateways,
          }),
        }
      : {}),
    ready: async () => {
      const down = redisUnavailableReason(redis);
      if (down) return down;
      try {
        return (await redis.ping()) === 'PONG' || 'Redis did not answer PING';
      } catch (err) {
        return `Redis unavailable: ${(err as Error).message}`;
      }
    },
  });
  const address = await server.listen({ host: props.host ?? '127.0.0.1', port: props.port ?? 0 });
  return {
    url: address,
    store,
    server,
    async close() {
      await server.close();
      redis.disconnect();
    },
  };
}
