import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { buildApiServer } from '../api/server.js';
import { ResourceStore } from '../store/resource-store.js';
import { connectRedis } from './redis-connection.js';

/** Settings of an API server process. */
export interface ApiProcessProps {
  readonly redisUrl: string;
  readonly storePrefix?: string;
  readonly token: string;
  readonly host?: string;
  readonly port?: number;
  readonly log: Logger;
  readonly metrics: Registry;
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
  const redis = connectRedis(props.redisUrl, false, props.log);
  const store = new ResourceStore(redis, props.storePrefix ? { prefix: props.storePrefix } : {});
  const server = await buildApiServer({
    store,
    token: props.token,
    logger: props.log,
    metrics: props.metrics,
    ready: async () => {
      try {
        return (await redis.ping()) === 'PONG' || 'redis did not answer PING';
      } catch (err) {
        return `redis unavailable: ${(err as Error).message}`;
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
