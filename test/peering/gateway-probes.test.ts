import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatewayProbes, PROBE_PATH } from '../../peering/gateway/probes.js';
import { GATEWAYS_NOT_DEPLOYED, verifyThroughGateways } from '../../peering/orchestrate/verify-gateways.js';
import { startFederation, type TestFederation } from './gateway-harness.js';

/**
 * The peering's last step asks the gateways, through the control plane's Redis, to call each other
 * over mTLS: each direction is a real request between the two clusters' gateways.
 */
describe('verification through the east-west gateways', () => {
  let fed: TestFederation;
  let probes: GatewayProbes;

  beforeAll(async () => {
    fed = await startFederation({ clusters: {}, services: {}, authorization: [], quotas: [] });
    await fed.start('a');
    await fed.start('b');
    probes = new GatewayProbes(fed.redis.connect(), fed.redis.prefix, 20);
  }, 30_000);
  afterAll(() => fed?.close());

  it('measures the round trip both ways between the two clusters’ gateways', async () => {
    const out = await verifyThroughGateways('a', 'b', probes, { timeoutMs: 10_000 });
    expect(out.gateways).toBe('verified');
    expect(out.rttMsAToB).toBeGreaterThan(0);
    expect(out.rttMsBToA).toBeGreaterThan(0);
    // Each direction was answered by the other cluster's gateway.
    expect(out.viaB).toBe(fed.gateways.get('b')!.peerUrl);
    expect(out.viaA).toBe(fed.gateways.get('a')!.peerUrl);
    expect(String(out.message)).toMatch(/^both directions verified through the east-west gateways \(a → b/);
    // Nothing is left behind in Redis.
    const r = fed.redis.connect();
    expect(await r.hlen(`${fed.redis.prefix}:peering:probes`)).toBe(0);
    expect(await r.hlen(`${fed.redis.prefix}:peering:probe-results`)).toBe(0);
  });

  it('says so, rather than pretending, when a cluster has no gateway', async () => {
    const out = await verifyThroughGateways('a', 'zz', probes, { timeoutMs: 5_000 });
    expect(out.gateways).toBe(GATEWAYS_NOT_DEPLOYED);
    expect(out.message).toMatch(/no gateway of zz is registered/);
    expect(out.rttMsAToB).toBeUndefined();
  });

  it('keeps trying with progress, then fails naming what failed, when a registered gateway does not answer', async () => {
    // A gateway of d is registered (alive in the registry) but nothing listens at its address.
    await fed.redis
      .connect()
      .hset(
        `${fed.redis.prefix}:peering:gateways`,
        'd|dead',
        JSON.stringify({ url: 'https://127.0.0.1:9', expiresAt: Date.now() + 60_000 }),
      );
    const progress: string[] = [];
    const err = await verifyThroughGateways('a', 'd', probes, {
      timeoutMs: 2_500,
      attemptMs: 800,
      retryMs: 100,
      progress: async (m) => {
        progress.push(m);
      },
    }).catch((e: unknown) => e as Error & { retryable?: boolean });
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/no request got through the east-west gateways within 3 s/);
    expect((err as Error).message).toMatch(/a → d: https:\/\/127\.0\.0\.1:9: /);
    expect((err as Error).message).toMatch(/d → a: no gateway of d took the probe/);
    expect((err as { retryable?: boolean }).retryable).toBe(false);
    expect(progress.length).toBeGreaterThan(0);
    expect(progress[0]).toMatch(/^attempt 1 through the gateways failed/);
  });

  it('answers probes only over mTLS: a caller without a federation certificate is refused at the handshake', async () => {
    const agent = new Agent({ connect: { rejectUnauthorized: false } });
    const err = await request(`${fed.gateways.get('a')!.peerUrl}${PROBE_PATH}`, { dispatcher: agent })
      .then(() => undefined)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    await agent.close();
  });
});
