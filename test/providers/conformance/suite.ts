import { afterAll, afterEach, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import type { CloudAdapter } from '../../../providers/cloud/adapter.js';
import { isProviderError, type ProviderError } from '../../../providers/provider-error.js';
import type { ConformanceEnv, ConformanceFixture, SimResourceKind } from './fixture.js';

const T = 90_000;

/**
 * The adapter conformance suite: every cloud adapter runs these same tests against its own
 * simulator through its real SDK (a provider's test file calls `runConformanceSuite(fixture)`).
 * Capability-dependent tests skip only when the adapter does not declare the group; fault tests
 * skip only for adapters that call no remote API (no `faults` in the env).
 */
export function runConformanceSuite(fixture: ConformanceFixture): void {
  describe(`${fixture.provider} adapter conformance`, () => {
    let env: ConformanceEnv;
    const thrown: unknown[] = [];
    const uid = `c${Date.now().toString(36)}`;

    beforeAll(async () => {
      env = await fixture.setup();
    }, T);
    afterEach(() => env?.faults?.reset());
    afterAll(async () => {
      await env?.teardown();
    }, T);

    /** Runs `call` expecting a ProviderError; keeps it so the credential check sees every message. */
    async function providerError(call: () => Promise<unknown>): Promise<ProviderError> {
      try {
        await call();
      } catch (err) {
        thrown.push(err);
        if (isProviderError(err)) return err;
        throw new Error(`expected a ProviderError, got ${String(err)}`, { cause: err });
      }
      throw new Error('expected the call to fail');
    }

    function count(kind: SimResourceKind): number {
      if (!env.countResources) throw new Error('the fixture must give countResources (network/storage)');
      return env.countResources(kind);
    }

    function needs<K extends 'inventory' | 'network' | 'storage'>(
      ctx: TestContext,
      group: K,
    ): NonNullable<CloudAdapter[K]> {
      const cap = env.adapter[group];
      if (!cap) ctx.skip(`${fixture.provider} does not declare the ${group} capability`);
      return cap as NonNullable<CloudAdapter[K]>;
    }

    describe('inventory', () => {
      it('lists regions with zones, including the scope region', async (ctx) => {
        const inv = needs(ctx, 'inventory');
        const regions = await inv.listRegions();
        const own = regions.find((r) => r.name === env.adapter.scope.region);
        expect(own, `scope region ${env.adapter.scope.region} listed`).toBeDefined();
        expect(own?.zones.length).toBeGreaterThan(0);
        expect(new Set(regions.map((r) => r.name)).size).toBe(regions.length);
      });

      it('lists networks with subnets inside their CIDRs, and gets one by id the same', async (ctx) => {
        const inv = needs(ctx, 'inventory');
        const networks = await inv.listNetworks();
        const seeded = networks.find((n) => n.id === env.networkId);
        expect(seeded, `network ${env.networkId} listed`).toBeDefined();
        expect(seeded?.subnets.length).toBeGreaterThan(0);
        for (const net of networks) {
          expect(net.cidrs.length, `${net.id} has CIDRs`).toBeGreaterThan(0);
          for (const sub of net.subnets)
            expect(
              net.cidrs.some((c) => cidrContains(c, sub.cidr)),
              `${sub.cidr} inside ${net.cidrs.join(',')}`,
            ).toBe(true);
        }
        expect(await inv.getNetwork(env.networkId)).toEqual(seeded);
      });

      it('a missing network is NotFound keeping the provider code', async (ctx) => {
        const inv = needs(ctx, 'inventory');
        const missing = missingNetworkId(env.networkId);
        const err = await providerError(() => inv.getNetwork(missing));
        expect(err.code).toBe('NotFound');
        if (env.faults) expect(err.providerCode).toBeTruthy();
      });

      it("finds the cluster's nodes with zone, type, vCPU and memory, in the scope's zones and networks", async (ctx) => {
        const inv = needs(ctx, 'inventory');
        const [instances, regions, networks] = await Promise.all([
          inv.listClusterInstances(env.cluster.selector),
          inv.listRegions(),
          inv.listNetworks(),
        ]);
        expect(instances).toHaveLength(env.cluster.instances);
        const zones = new Set(regions.flatMap((r) => r.zones));
        const subnets = new Set(networks.flatMap((n) => n.subnets.map((s) => s.id)));
        for (const i of instances) {
          expect(zones.has(i.zone), `zone ${i.zone} of ${i.id} is listed`).toBe(true);
          expect(i.instanceType).not.toBe('');
          expect(i.vcpus).toBeGreaterThan(0);
          expect(i.memoryMiB).toBeGreaterThan(0);
          if (i.subnetId) expect(subnets.has(i.subnetId), `subnet ${i.subnetId} is listed`).toBe(true);
        }
        expect(new Set(instances.map((i) => i.id)).size).toBe(instances.length);
        const none = await inv.listClusterInstances({ clusterName: `${uid}-no-such-cluster` });
        expect(none).toEqual([]);
      });

      it('counts its API calls as the simulator served them', async (ctx) => {
        const inv = needs(ctx, 'inventory');
        const before = [sum(env.adapter.callCounts()), sum(env.served())];
        await inv.listNetworks();
        const after = [sum(env.adapter.callCounts()), sum(env.served())];
        expect(after[0]! - before[0]!).toBeGreaterThan(0);
        if (env.faults) expect(after[0]! - before[0]!).toBe(after[1]! - before[1]!);
      });
    });

    describe('network', () => {
      it(
        'peering: request and accept are idempotent, then delete twice',
        async (ctx) => {
          const net = needs(ctx, 'network');
          const peer = env.peerAdapter?.network;
          if (!peer || !env.peerNetworkId) return ctx.skip('no peer scope in this fixture');
          const name = `${uid}-peer`;
          const spec = {
            name,
            localNetworkId: env.networkId,
            remote: { scope: env.peerAdapter!.scope, networkId: env.peerNetworkId },
          };
          const before = count('peering');
          const first = await net.ensurePeering(spec);
          const again = await net.ensurePeering(spec);
          expect(again.id).toBe(first.id);
          expect(count('peering')).toBe(before + 1);
          expect(['pending-acceptance', 'provisioning', 'active']).toContain(first.state);

          const reverse = {
            name,
            localNetworkId: env.peerNetworkId,
            remote: { scope: env.adapter.scope, networkId: env.networkId },
          };
          const accepted = await peer.acceptPeering(reverse);
          const acceptedAgain = await peer.acceptPeering(reverse);
          expect(accepted.state).toBe('active');
          expect(acceptedAgain.id).toBe(accepted.id);
          const afterAccept = count('peering');
          expect(afterAccept === before + 1 || afterAccept === before + 2).toBe(true);

          const seen = await net.describePeering(name, env.networkId);
          expect(seen?.state).toBe('active');
          expect(seen?.remote.networkId).toBe(env.peerNetworkId);

          await net.deletePeering(name, env.networkId);
          await net.deletePeering(name, env.networkId);
          await peer.deletePeering(name, env.peerNetworkId);
          expect(await net.describePeering(name, env.networkId)).toBeUndefined();
          expect(count('peering')).toBe(before);
        },
        T,
      );

      it(
        'peering: networks whose ranges overlap are refused, and nothing is left active',
        async (ctx) => {
          const net = needs(ctx, 'network');
          const peer = env.peerAdapter?.network;
          if (!peer || !env.overlappingPeerNetworkId) return ctx.skip('no overlapping peer network');
          const name = `${uid}-clash`;
          const spec = {
            name,
            localNetworkId: env.networkId,
            remote: { scope: env.peerAdapter!.scope, networkId: env.overlappingPeerNetworkId },
          };
          const reverse = {
            name,
            localNetworkId: env.overlappingPeerNetworkId,
            remote: { scope: env.adapter.scope, networkId: env.networkId },
          };
          // The refusal comes as an Invalid error (GCE's failed operation, ARM's 400) or as a
          // peering the provider reports failed (AWS's `failed` status); it never turns active.
          let refused: ProviderError | undefined;
          try {
            const requested = await net.ensurePeering(spec);
            if (requested.state !== 'failed') await peer.acceptPeering(reverse);
            const seen = await net.describePeering(name, env.networkId);
            expect(seen?.state ?? 'failed').toBe('failed');
          } catch (err) {
            thrown.push(err);
            if (!isProviderError(err)) throw err;
            refused = err;
          }
          if (refused) {
            expect(refused.code).toBe('Invalid');
            expect(refused.message).toMatch(/overlap/i);
          }
          await net.deletePeering(name, env.networkId);
          await peer.deletePeering(name, env.overlappingPeerNetworkId);
          expect((await net.describePeering(name, env.networkId))?.state ?? 'gone').not.toBe('active');
        },
        T,
      );

      it(
        'VPN: gateway, peer gateway, connection with tunnels and a route, each created once and deleted twice',
        async (ctx) => {
          const net = needs(ctx, 'network');
          const counts = () => ({
            gw: count('vpn-gateway'),
            peer: count('peer-gateway'),
            conn: count('vpn-connection'),
            route: count('route'),
          });
          const start = counts();
          const gwSpec = { name: `${uid}-vgw`, networkId: env.networkId };
          const gw = await net.ensureVpnGateway(gwSpec);
          expect((await net.ensureVpnGateway(gwSpec)).id).toBe(gw.id);
          expect(gw.state).toBe('available');
          expect((await net.describeVpnGateway(gwSpec.name))?.id).toBe(gw.id);

          const peerSpec = {
            name: `${uid}-cgw`,
            publicIps: ['203.0.113.10'],
            asn: 65010,
            cidrs: ['10.200.0.0/16'],
          };
          const pg = await net.ensurePeerGateway(peerSpec);
          expect((await net.ensurePeerGateway(peerSpec)).id).toBe(pg.id);
          expect(pg.publicIps).toContain('203.0.113.10');

          const connSpec = {
            name: `${uid}-vpn`,
            gatewayId: gw.id,
            peerGatewayId: pg.id,
            tunnels: [{ sharedKey: 'tunnel.key.one_0123456789' }, { sharedKey: 'tunnel.key.two_0123456789' }],
            bgp: env.vpnNeedsBgp ?? false,
            ...(env.vpnNeedsBgp ? {} : { staticRoutes: ['10.200.0.0/16'] }),
          };
          const progress: string[] = [];
          const conn = await net.ensureVpnConnection(connSpec, { onProgress: (p) => progress.push(p.state) });
          expect(conn.state).toBe('available');
          expect((await net.ensureVpnConnection(connSpec)).id).toBe(conn.id);
          expect(conn.tunnels.length).toBeGreaterThan(0);
          expect(conn.tunnels.length).toBeLessThanOrEqual(connSpec.tunnels.length);
          const described = await net.describeVpnConnection(connSpec.name);
          expect(described?.gatewayId).toBe(gw.id);
          expect(described?.peerGatewayId).toBe(pg.id);
          for (const t of described?.tunnels ?? []) expect(t.outsideIp).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
          expect(counts()).toEqual({
            gw: start.gw + 1,
            peer: start.peer + 1,
            conn: start.conn + 1,
            route: counts().route,
          });

          const routeSpec = {
            networkId: env.networkId,
            destinationCidr: '10.200.0.0/16',
            name: `${uid}-route`,
            target:
              env.routeVia === 'vpn-connection'
                ? { kind: 'vpn-connection' as const, id: conn.id }
                : { kind: 'vpn-gateway' as const, id: gw.id },
          };
          const routesBefore = count('route');
          const route = await net.ensureRoute(routeSpec);
          await net.ensureRoute(routeSpec);
          expect(count('route')).toBe(routesBefore + 1);
          expect(route.destinationCidr).toBe('10.200.0.0/16');
          const listed = (await net.listRoutes(env.networkId)).filter(
            (r) => r.destinationCidr === '10.200.0.0/16',
          );
          expect(listed).toHaveLength(1);
          await net.deleteRoute(routeSpec);
          await net.deleteRoute(routeSpec);
          expect(count('route')).toBe(routesBefore);

          for (const del of [
            () => net.deleteVpnConnection(connSpec.name),
            () => net.deletePeerGateway(peerSpec.name),
            () => net.deleteVpnGateway(gwSpec.name),
          ]) {
            await del();
            await del();
          }
          expect(await net.describeVpnConnection(connSpec.name)).toBeUndefined();
          expect(await net.describePeerGateway(peerSpec.name)).toBeUndefined();
          expect(await net.describeVpnGateway(gwSpec.name)).toBeUndefined();
          const end = counts();
          expect([end.gw, end.peer, end.conn]).toEqual([start.gw, start.peer, start.conn]);
        },
        T,
      );

      it(
        'deleting what does not exist succeeds',
        async (ctx) => {
          const net = needs(ctx, 'network');
          const n = `${uid}-never`;
          await net.deletePeering(n, env.networkId);
          await net.deleteVpnConnection(n);
          await net.deletePeerGateway(n);
          await net.deleteVpnGateway(n);
          await net.deleteRoute({
            networkId: env.networkId,
            destinationCidr: '10.254.254.0/24',
            name: n,
            target: { kind: 'vpn-gateway', id: n },
          });
          expect(await net.describeVpnGateway(n)).toBeUndefined();
        },
        T,
      );
    });

    describe('storage', () => {
      it(
        'snapshot, cross-region copy and a volume from it: each created once, progress to completed, deleted twice',
        async (ctx) => {
          const sto = needs(ctx, 'storage');
          if (!env.volume) return ctx.skip('the fixture seeds no volume');
          const target = env.otherRegionAdapter?.storage ? env.otherRegionAdapter : env.adapter;
          const tsto = target.storage!;
          const before = { snap: count('snapshot'), vol: count('volume') };

          const spec = { name: `${uid}-snap`, volumeId: env.volume.id, zone: env.volume.zone };
          const snap = await sto.createSnapshot(spec);
          expect((await sto.createSnapshot(spec)).id).toBe(snap.id);
          expect(count('snapshot')).toBe(before.snap + 1);
          const progress: number[] = [];
          const done = await sto.waitForSnapshot(snap.id, {
            onProgress: (p) => p.percent !== undefined && progress.push(p.percent),
          });
          expect(done.state).toBe('completed');
          expect(done.progressPercent).toBe(100);
          expect(done.sourceVolumeId === undefined || done.sourceVolumeId === env.volume.id).toBe(true);
          expect((await sto.describeSnapshot(spec.name))?.id).toBe(snap.id);

          const copySpec = {
            name: `${uid}-copy`,
            sourceSnapshotId: snap.id,
            sourceRegion: env.adapter.scope.region,
            targetRegion: target.scope.region,
          };
          let copy: { id: string } | undefined;
          if (tsto.crossRegionCopy === false) {
            // Declared unsupported: refused as invalid input, nothing created.
            const refused = await providerError(() => tsto.copySnapshot(copySpec));
            expect(refused.code).toBe('Invalid');
            expect(refused.retryable).toBe(false);
            expect(count('snapshot')).toBe(before.snap + 1);
          } else {
            copy = await tsto.copySnapshot(copySpec);
            expect((await tsto.copySnapshot(copySpec)).id).toBe(copy.id);
            expect(count('snapshot')).toBe(before.snap + 2);
            const copied = await tsto.waitForSnapshot(copy.id);
            expect(copied.state).toBe('completed');
            expect(copied.region).toBe(target.scope.region);
          }

          const volSpec = { name: `${uid}-vol`, snapshotId: snap.id, zone: env.volume.zone ?? '' };
          const vol = await sto.createVolumeFromSnapshot(volSpec);
          expect((await sto.createVolumeFromSnapshot(volSpec)).id).toBe(vol.id);
          expect(vol.state).toBe('available');
          expect(count('volume')).toBe(before.vol + 1);

          await sto.deleteVolume(vol.id);
          await sto.deleteVolume(vol.id);
          if (copy) {
            await tsto.deleteSnapshot(copy.id);
            await tsto.deleteSnapshot(copy.id);
          }
          await sto.deleteSnapshot(snap.id);
          await sto.deleteSnapshot(snap.id);
          expect(await sto.describeSnapshot(snap.id)).toBeUndefined();
          expect({ snap: count('snapshot'), vol: count('volume') }).toEqual(before);
        },
        T,
      );

      it(
        'deleting what does not exist succeeds',
        async (ctx) => {
          const sto = needs(ctx, 'storage');
          await sto.deleteSnapshot(`${uid}-never`);
          await sto.deleteVolume(`${uid}-never`);
          expect(await sto.describeSnapshot(`${uid}-never`)).toBeUndefined();
        },
        T,
      );
    });

    describe('faults', () => {
      function faults(ctx: TestContext) {
        if (!env.faults) ctx.skip(`${fixture.provider} calls no remote API`);
        return env.faults!;
      }
      /** The fixture's probe call, else a network listing. */
      function probe(ctx: TestContext, adapter: CloudAdapter = env.adapter): () => Promise<unknown> {
        if (env.probe) return () => env.probe!(adapter);
        needs(ctx, 'inventory');
        return async () => {
          const networks = await adapter.inventory!.listNetworks();
          expect(networks.length).toBeGreaterThan(0);
          return networks;
        };
      }

      it(
        'throttling is retried with backoff, then surfaces as Throttled when it persists',
        async (ctx) => {
          const f = faults(ctx);
          const call = probe(ctx);
          const s0 = sum(env.served());
          f.throttleNext(2);
          await call();
          const s1 = sum(env.served());
          expect(s1 - s0, 'two throttled attempts and one that passed').toBeGreaterThanOrEqual(3);
          f.throttleRate(1);
          const err = await providerError(call);
          expect(err.code).toBe('Throttled');
          expect(err.retryable).toBe(true);
          expect(err.providerCode).toBeTruthy();
          expect(sum(env.served()) - s1, 'retried more than once').toBeGreaterThan(1);
        },
        T,
      );

      it(
        '5xx is retried, then surfaces as Unavailable when it persists',
        async (ctx) => {
          const f = faults(ctx);
          const call = probe(ctx);
          f.failNext(1);
          await call();
          f.failNext(1_000);
          const s0 = sum(env.served());
          const err = await providerError(call);
          expect(['Unavailable', 'Internal']).toContain(err.code);
          expect(err.retryable).toBe(true);
          expect(sum(env.served()) - s0).toBeGreaterThan(1);
        },
        T,
      );

      it(
        "a long-running operation that fails surfaces the provider's reason",
        async (ctx) => {
          const f = faults(ctx);
          const reason = `simulated failure ${uid}`;
          const op = longOperation(env, `${uid}-fail`);
          if (!op) return ctx.skip('no long-running operation (storage or network) declared');
          f.failNextOperation(reason);
          const err = await providerError(() => op.run());
          expect(err.message).toContain(reason);
          await op.cleanup();
        },
        T,
      );

      it(
        'cancellation stops polling: the simulator sees no more polls',
        async (ctx) => {
          const f = faults(ctx);
          const op = longOperation(env, `${uid}-cancel`);
          if (!op) return ctx.skip('no long-running operation (storage or network) declared');
          f.operationDelayMs(600_000);
          const ac = new AbortController();
          const s0 = sum(env.served());
          const running = op.run(ac.signal);
          running.catch(() => undefined);
          await until(() => sum(env.served()) - s0 >= 4, 'the operation to be started and polled');
          ac.abort(new Error('cancelled by the test'));
          await expect(running).rejects.toThrow();
          // A request already on the wire when the signal fired may still arrive: let it land.
          const atAbort = await settled(() => sum(env.served()));
          const seen = { ...env.served() };
          await new Promise((r) => setTimeout(r, 1_500));
          expect(
            sum(env.served()),
            `calls after the abort: ${JSON.stringify(grown(seen, env.served()))}`,
          ).toBe(atAbort);
          f.reset();
          await op.cleanup();
        },
        T,
      );

      it(
        'wrong credentials are Unauthorized and not retried',
        async (ctx) => {
          faults(ctx);
          if (!env.badCredentialsAdapter) return ctx.skip('no credentials to get wrong');
          let bad: CloudAdapter | undefined;
          const s0 = sum(env.served());
          const err = await providerError(async () => {
            bad = await env.badCredentialsAdapter!();
            await probe(ctx, bad)();
          });
          expect(err.code).toBe('Unauthorized');
          expect(err.providerCode).toBeTruthy();
          expect(sum(env.served()) - s0, 'not retried').toBeLessThanOrEqual(2);
          await bad?.close();
        },
        T,
      );
    });

    it('no call logged or threw a credential', () => {
      const secrets = env.secrets.filter((s) => s.length >= 6);
      const texts = [...env.logged(), ...thrown.map(describeError)];
      for (const text of texts)
        for (const secret of secrets) expect(text.includes(secret), `a credential in: ${text}`).toBe(false);
    });
  });
}

/** A long-running create (a snapshot, else a VPN connection) and its cleanup, for the fault tests. */
function longOperation(
  env: ConformanceEnv,
  name: string,
): { run(signal?: AbortSignal): Promise<unknown>; cleanup(): Promise<void> } | undefined {
  const sto = env.adapter.storage;
  const volume = env.volume;
  if (sto && volume)
    return {
      async run(signal) {
        const opts = signal ? { signal } : {};
        const snap = await sto.createSnapshot({ name, volumeId: volume.id, zone: volume.zone }, opts);
        return sto.waitForSnapshot(snap.id, opts);
      },
      cleanup: () => sto.deleteSnapshot(name),
    };
  const net = env.adapter.network;
  if (net)
    return {
      run: (signal) => net.ensureVpnGateway({ name, networkId: env.networkId }, signal ? { signal } : {}),
      cleanup: () => net.deleteVpnGateway(name),
    };
  return undefined;
}

async function until(check: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * The value once it has not changed for 300 ms and 15 checks in a row: on a starved machine one
 * late timer can span 300 ms before the socket that carries the last request has been read.
 */
async function settled(read: () => number): Promise<number> {
  let last = read();
  let since = Date.now();
  let quiet = 0;
  while (Date.now() - since < 300 || quiet < 15) {
    await new Promise((r) => setTimeout(r, 20));
    const now = read();
    quiet += 1;
    if (now !== last) {
      last = now;
      since = Date.now();
      quiet = 0;
    }
  }
  return last;
}

/** The calls counted in `after` but not in `before`, by method. */
function grown(before: Readonly<Record<string, number>>, after: Readonly<Record<string, number>>) {
  return Object.fromEntries(
    Object.entries(after)
      .map(([method, n]) => [method, n - (before[method] ?? 0)] as const)
      .filter(([, n]) => n > 0),
  );
}

function sum(counts: Readonly<Record<string, number>>): number {
  return Object.values(counts).reduce((a, b) => a + b, 0);
}

/** An id of the same shape as `id` that names nothing (`vpc-…` stays `vpc-…`, paths keep their prefix). */
function missingNetworkId(id: string): string {
  if (id.startsWith('vpc-')) return 'vpc-0fffffffffffffff0';
  const slash = id.lastIndexOf('/');
  return slash >= 0 ? `${id.slice(0, slash + 1)}no-such-network` : 'no-such-network';
}

function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause instanceof Error ? ` ${err.cause.message}` : '';
  return `${err.message}${cause} ${JSON.stringify({ ...err })}`;
}

/** True when IPv4 CIDR `inner` lies inside `outer`. */
export function cidrContains(outer: string, inner: string): boolean {
  const [oa, ob] = parseCidr(outer);
  const [ia, ib] = parseCidr(inner);
  if (ib < ob) return false;
  const mask = ob === 0 ? 0 : (0xffffffff << (32 - ob)) >>> 0;
  return (oa & mask) >>> 0 === (ia & mask) >>> 0;
}

function parseCidr(cidr: string): [number, number] {
  const [addr, bits] = cidr.split('/');
  const parts = (addr ?? '').split('.').map(Number);
  const n = parts.reduce((a, p) => ((a << 8) | p) >>> 0, 0);
  return [n, Number(bits ?? 32)];
}
