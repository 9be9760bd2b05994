// A fedgate gateway in its own process, so the bench can read its CPU time from /proc.
// Input: FG_BENCH_GATEWAY (JSON); prints one JSON line {peerUrl, appUrl} once listening.
import { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { startGateway } from '../../peering/gateway/gateway.js';
import { FederationCa } from '../../peering/identity/federation-ca.js';
import { localIssuer } from '../../peering/identity/local-issuer.js';
import type { GatewayChildInput } from './gateway-spawn.js';

const input = JSON.parse(process.env.FG_BENCH_GATEWAY ?? '{}') as GatewayChildInput;
const ca = await FederationCa.unseal(input.sealedCa, Buffer.from(input.operatorKey, 'hex'));
const redis = new Redis(input.redisUrl);
redis.on('error', () => {}); // the bench stops Redis last; a reconnect attempt is not news
const gw = await startGateway({
  cluster: input.cluster,
  federation: input.federation,
  issuer: localIssuer(ca, input.cluster),
  configSource: { load: async () => input.config },
  redis,
  redisPrefix: input.prefix,
  metrics: new Registry(),
  peerListen: { host: '127.0.0.1', port: 0 },
  appListen: { host: '127.0.0.1', port: 0 },
  localEndpoints: input.endpoints,
});
process.stdout.write(`${JSON.stringify({ peerUrl: gw.peerUrl, appUrl: gw.appUrl })}\n`);
process.on('SIGTERM', () => {
  void gw.close().finally(() => {
    redis.disconnect();
    process.exit(0);
  });
});
