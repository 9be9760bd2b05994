/**
 * The conformance list of issue 9 run on the Azure adapter until the shared suite lands: idempotent
 * creates, deleting what is missing, throttling and 5xx retried then typed, a failed long-running
 * operation surfacing Azure's reason, cancellation stopping the polls, a wrong token, no logged
 * credential.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isProviderError, type ProviderError } from '../../../providers/provider-error.js';
import { waitFor } from '../../support/wait-for.js';
import { type AzureEnv, startAzureEnv } from './fixture.js';

function count(env: AzureEnv, op: string): number {
  return env.served()[op] ?? 0;
}

describe('azure adapter conformance', () => {
  let env: AzureEnv;
  beforeAll(async () => {
    env = await startAzureEnv();
  });
  afterAll(async () => {
    await env?.teardown();
  });
  beforeEach(() => env.faults.reset());

  it('every create is idempotent: twice gives one resource and the second call does not PUT again', async () => {
    const net = env.adapter.network!;
    const spec = {
      name: 'to-neu',
      localNetworkId: env.networkId,
      remote: { scope: env.peer.scope, networkId: env.peerNetworkId! },
    };
    const a = await net.ensurePeering(spec);
    const puts = count(env, 'VirtualNetworkPeerings_CreateOrUpdate');
    const b = await net.ensurePeering(spec);
    expect(b.id).toBe(a.id);
    expect(count(env, 'VirtualNetworkPeerings_CreateOrUpdate')).toBe(puts);
    expect(env.sim.resource(env.networkId)).toBeDefined();

    const peer = { name: 'onprem-1', publicIps: ['198.51.100.7'], cidrs: ['192.168.0.0/16'] };
    const p1 = await net.ensurePeerGateway(peer);
    const p2 = await net.ensurePeerGateway(peer);
    expect(p2).toEqual(p1);
    expect(count(env, 'LocalNetworkGateways_CreateOrUpdate')).toBe(1);

    const s1 = await env.adapter.storage!.createSnapshot({ name: 'snap-idem', volumeId: env.volume!.id });
    const s2 = await env.adapter.storage!.createSnapshot({ name: 'snap-idem', volumeId: env.volume!.id });
    expect(s2.id).toBe(s1.id);
    expect(count(env, 'Snapshots_CreateOrUpdate')).toBe(1);
  });

  it('deleting a missing resource succeeds', async () => {
    const net = env.adapter.network!;
    await net.deletePeering('never-made', env.networkId);
    await net.deleteVpnGateway('never-made');
    await net.deletePeerGateway('never-made');
    await net.deleteVpnConnection('never-made');
    await net.deleteRoute({
      networkId: env.networkId,
      destinationCidr: '10.99.0.0/16',
      target: { kind: 'vpn-gateway', id: 'x' },
    });
    await env.adapter.storage!.deleteSnapshot('never-made');
    await env.adapter.storage!.deleteVolume('never-made');
  });

  it('throttling (429 + Retry-After) and 5xx are retried with backoff, then succeed', async () => {
    const before = count(env, 'VirtualNetworks_List');
    env.faults.throttleNext(2);
    const nets = await env.adapter.inventory!.listNetworks();
    expect(nets).toHaveLength(1);
    expect(count(env, 'VirtualNetworks_List') - before).toBe(3);
    env.faults.failNext(2);
    await env.adapter.inventory!.listNetworks();
    expect(count(env, 'VirtualNetworks_List') - before).toBe(6);
    expect(env.logged().filter((l) => l.includes('retrying')).length).toBeGreaterThanOrEqual(4);
  });

  it('throttling that outlasts the attempts surfaces as Throttled, 5xx as Internal, keeping the ARM code', async () => {
    const quick = await env.adapterFor({ maxAttempts: 2 });
    env.faults.throttleNext(10);
    const t = (await quick.inventory!.listNetworks().catch((e: unknown) => e)) as ProviderError;
    expect(isProviderError(t, 'Throttled')).toBe(true);
    expect(t.providerCode).toBe('TooManyRequests');
    expect(t.retryAfterMs).toBe(1000);
    env.faults.reset();
    env.faults.failNext(10);
    const i = (await quick.inventory!.listNetworks().catch((e: unknown) => e)) as ProviderError;
    expect(isProviderError(i, 'Internal')).toBe(true);
    expect(i.providerCode).toBe('InternalServerError');
  });

  it("a long-running operation that fails surfaces Azure's reason, not retried", async () => {
    env.faults.failNextOperation(
      'LocalNetworkGatewayProvisioningFailed: the address 203.0.113.9 is already used by another gateway',
    );
    const err = (await env.adapter
      .network!.ensurePeerGateway({ name: 'lng-fails', publicIps: ['203.0.113.9'], cidrs: ['172.16.0.0/16'] })
      .catch((e: unknown) => e)) as ProviderError;
    expect(isProviderError(err)).toBe(true);
    expect(err.providerCode).toBe('LocalNetworkGatewayProvisioningFailed');
    expect(err.message).toContain('already used by another gateway');
    expect(count(env, 'LocalNetworkGateways_CreateOrUpdate')).toBeGreaterThanOrEqual(1);
    const described = await env.adapter.network!.describePeerGateway('lng-fails');
    expect(described).toBeDefined();
  });

  it('a failed operation with a reason Azure does not document as transient is final; a transient one is tried again', async () => {
    env.faults.failNextOperation('GatewayConfigurationUnsupported: the peer address is not allowed here');
    const err = (await env.adapter
      .network!.ensurePeerGateway({
        name: 'lng-unknown',
        publicIps: ['203.0.113.11'],
        cidrs: ['172.18.0.0/16'],
      })
      .catch((e: unknown) => e)) as ProviderError;
    expect(isProviderError(err)).toBe(true);
    expect(err.providerCode).toBe('GatewayConfigurationUnsupported');
    // A job that met it must not be retried forever: the orchestrator rolls back instead.
    expect(err.retryable).toBe(false);

    const puts = count(env, 'LocalNetworkGateways_CreateOrUpdate');
    env.faults.failNextOperation('InternalServerError: an internal error occurred, please retry');
    const made = await env.adapter.network!.ensurePeerGateway({
      name: 'lng-transient',
      publicIps: ['203.0.113.12'],
      cidrs: ['172.19.0.0/16'],
    });
    expect(made.publicIps).toEqual(['203.0.113.12']);
    expect(count(env, 'LocalNetworkGateways_CreateOrUpdate') - puts).toBe(2);
  });

  it("cancellation stops polling: the call rejects with the signal's reason and no poll follows", async () => {
    env.faults.operationDelayMs(120_000);
    const abort = new AbortController();
    const polls = () => count(env, 'AzureAsyncOperation_Get');
    const start = polls();
    const pending = env.adapter.network!.ensurePeerGateway(
      { name: 'lng-slow', publicIps: ['203.0.113.10'], cidrs: ['172.17.0.0/16'] },
      { signal: abort.signal },
    );
    await waitFor('a few polls', () => polls() - start >= 2);
    const reason = new Error('operator cancelled');
    abort.abort(reason);
    await expect(pending).rejects.toBe(reason);
    // A poll already on the wire may still land; after that, none follows.
    await new Promise((r) => setTimeout(r, 200));
    const after = polls();
    await new Promise((r) => setTimeout(r, 600));
    expect(polls()).toBe(after);
  });

  it('a wait bounded by timeoutMs gives up as Unavailable naming what it waited for', async () => {
    env.faults.operationDelayMs(120_000);
    const err = (await env.adapter
      .network!.ensurePeerGateway(
        { name: 'lng-timeout', publicIps: ['203.0.113.11'], cidrs: ['172.18.0.0/16'] },
        { timeoutMs: 300 },
      )
      .catch((e: unknown) => e)) as ProviderError;
    expect(isProviderError(err, 'Unavailable')).toBe(true);
    expect(err.message).toContain('lng-timeout');
  });

  it("a wrong token is Unauthorized with ARM's InvalidAuthenticationToken", async () => {
    const bad = await env.badCredentialsAdapter();
    const err = (await bad.inventory!.listNetworks().catch((e: unknown) => e)) as ProviderError;
    expect(isProviderError(err, 'Unauthorized')).toBe(true);
    expect(err.providerCode).toBe('InvalidAuthenticationToken');
    const errS = (await bad.storage!.describeSnapshot('x').catch((e: unknown) => e)) as ProviderError;
    expect(isProviderError(errS, 'Unauthorized')).toBe(true);
  });

  it('missing credentials fields are refused at construction, naming the field', async () => {
    const err = await env
      .adapterFor({ credentials: { kind: 'azure-token', token: '' } })
      .catch((e: unknown) => e);
    expect(isProviderError(err, 'Unauthorized')).toBe(true);
    expect((err as Error).message).toContain('credentials.token');
  });

  it('no call logs a credential (token, shared key)', async () => {
    env.faults.throttleNext(1);
    await env.adapter.inventory!.listNetworks();
    await env.adapter.network!.ensurePeerGateway({
      name: 'lng-log',
      publicIps: ['203.0.113.12'],
      cidrs: ['172.19.0.0/16'],
    });
    await (await env.badCredentialsAdapter()).inventory!.listRegions().catch(() => undefined);
    const logged = env.logged().join('\n');
    expect(logged.length).toBeGreaterThan(0);
    for (const secret of [...env.secrets, 'not-the-token']) expect(logged).not.toContain(secret);
  });
});
