import { createHash, randomUUID } from 'node:crypto';
import { GatewayProbes } from '../../../peering/gateway/probes.js';
import {
  deleteLink,
  type OrchestratedLink,
  type PeeringRuntime,
  provisionLink,
} from '../../../peering/orchestrate/run-steps.js';
import { resourceNames, vpnLayout } from '../../../peering/orchestrate/steps.js';
import type { TunnelKeyVault } from '../../../peering/orchestrate/tunnel-keys.js';
import type { LinkEnd, PeeringJournal } from '../../../peering/orchestrate/types.js';
import {
  GATEWAYS_NOT_DEPLOYED,
  verifyThroughGateways,
} from '../../../peering/orchestrate/verify-gateways.js';
import { type WireguardLinkKeys, wireguardPublicKey } from '../../../peering/orchestrate/wireguard-keys.js';
import { chooseLinkKind } from '../../../peering/plan/link-kind.js';
import { findOverlaps } from '../../../peering/plan/overlaps.js';
import type { LinkKind } from '../../../peering/plan/types.js';
import type { CloudAdapter } from '../../../providers/cloud/adapter.js';
import { swanctlConf, wireguardConf } from '../../../providers/onprem/vpn-config.js';
import type { ControllerContext } from '../../controller/context.js';
import { ClusterLeases } from '../../reconcile/cluster-leases.js';
import type { MemberClusterObject } from '../../reconcile/cluster-snapshot.js';
import { MEMBER_CLUSTER_TYPE, PEERING_TYPE } from '../../resources/kinds.js';
import { type GatewayPathHealth, nextPathHealth, pathVerdict, probeGatewayPath } from './gateway-path.js';
import { LinkEndError, linkEndOf, planClusterOf } from './link-ends.js';
import { exportGatewayPath, exportHealth } from './metrics.js';
import { RedisGatewayClaims } from './redis-gateway-claims.js';
import type { RedisTunnelKeyVault } from './redis-key-vault.js';
import {
  type PeeringObject,
  type PeeringStatus,
  readyCondition,
  type TunnelHealth,
  updatePeeringStatus,
} from './status.js';

/** What the peering controller is given by the runtime wiring. */
export interface PeeringControllerProps {
  readonly vault: TunnelKeyVault;
  /**
   * Replaces the last step's check. Absent: the providers' own link state, then a request each way
   * through the two clusters' east-west gateways (asked through the control plane's Redis, where
   * the gateways register), or, when a cluster has no gateway, Ready with reason GatewaysNotDeployed.
   */
  readonly verify?: PeeringRuntime['verify'];
  /** How long the check through the gateways keeps trying before the step fails (ms). Default 120,000. */
  readonly verifyTimeoutMs?: number;
  /** Stores the generated configuration of an on-prem end (absent: kept nowhere, the step fails). */
  readonly onpremConfig?: PeeringRuntime['onpremConfig'];
  readonly pollIntervalMs?: number;
  /** How often a Ready peering's health is read from the providers. Default 30 s. */
  readonly healthEveryMs?: number;
}

const NATIVE_KIND = {
  aws: 'aws-vpc-peering',
  gcp: 'gcp-network-peering',
  azure: 'azure-vnet-peering',
} as const;

function orchestratedKind(kind: LinkKind): 'native-peering' | 'ipsec-vpn' | 'gateway-only' {
  return kind === 'ipsec-vpn' || kind === 'gateway-only' ? kind : 'native-peering';
}

/** What one sync did: provisioned, checked health, or why it waits. */
export type SyncResult = { readonly phase: string; readonly recheckAfterMs?: number };

/** Brings one Peering to its desired state (or reads its health when it is there). */
export async function syncPeering(
  name: string,
  ctx: ControllerContext,
  props: PeeringControllerProps,
): Promise<SyncResult> {
  const key = { type: PEERING_TYPE, namespace: '', name };
  const peering = (await ctx.store.get(key)) as PeeringObject | undefined;
  if (!peering) return { phase: 'Deleted' };
  const now = () => new Date(ctx.clock.now()).toISOString();
  const generation = peering.metadata.generation ?? 1;
  const waitWith = async (reason: string, message: string): Promise<SyncResult> => {
    await updatePeeringStatus(ctx, key, (prev) => ({
      ...prev,
      phase: prev.phase ?? 'Provisioning',
      message,
      conditions: readyCondition(prev.conditions, 'False', reason, message, now(), generation),
    }));
    return { phase: 'Waiting', recheckAfterMs: 30_000 };
  };
  const clusters = await Promise.all(
    peering.spec.clusters.map((c) => ctx.store.get({ type: MEMBER_CLUSTER_TYPE, namespace: '', name: c })),
  );
  const missing = peering.spec.clusters.filter((_, i) => !clusters[i]);
  if (missing.length > 0)
    return waitWith('ClusterNotFound', `no MemberCluster named ${missing.join(' or ')}`);
  const [mcA, mcB] = clusters as [MemberClusterObject, MemberClusterObject];
  const planA = planClusterOf(mcA);
  const planB = planClusterOf(mcB);
  const clash = findOverlaps([planA, planB]).some((o) => o.a.cluster !== o.b.cluster);
  const chosen = chooseLinkKind(planA, planB, clash);
  const kind =
    peering.spec.type === 'NativePeering'
      ? 'native-peering'
      : peering.spec.type === 'IPsecVPN'
        ? 'ipsec-vpn'
        : orchestratedKind(chosen.kind);
  if (
    kind === 'native-peering' &&
    (mcA.spec.provider !== mcB.spec.provider || mcA.spec.provider === 'onprem')
  )
    return waitWith(
      'InvalidType',
      'NativePeering needs both clusters in the same cloud (use IPsecVPN or Auto)',
    );
  if (kind !== 'gateway-only' && clash)
    return waitWith('AddressesClash', `${chosen.why}; use type Auto to let the gateways carry this pair`);
  const linkKind: LinkKind =
    kind === 'native-peering'
      ? NATIVE_KIND[mcA.spec.provider as 'aws' | 'gcp' | 'azure']
      : kind === 'ipsec-vpn'
        ? 'ipsec-vpn'
        : chosen.kind;
  if (kind === 'gateway-only') {
    // Nothing to provision: the gateways are the link, so each sync probes through them.
    const [a, b] = peering.spec.clusters;
    const at = now();
    const path = props.verify
      ? undefined
      : await readGatewayPath(ctx, name, a, b, peering.status?.gatewayPath, at);
    const verdict = path && pathVerdict(a, b, path);
    const message = verdict ? `${chosen.why}; ${verdict.message}` : chosen.why;
    const reason = !verdict || verdict.reason === 'Ready' ? 'GatewayOnly' : verdict.reason;
    await updatePeeringStatus(ctx, key, (prev) => ({
      ...prev,
      observedGeneration: generation,
      link: { kind: chosen.kind, why: chosen.why },
      phase: 'Ready',
      steps: [],
      message,
      ...(path ? { gatewayPath: path, lastHealthCheck: at } : {}),
      conditions: readyCondition(prev.conditions, 'True', reason, message, at, generation),
    }));
    if (ctx.metrics && path) exportGatewayPath(ctx.metrics, name, a, b, path);
    return { phase: 'Ready', recheckAfterMs: props.healthEveryMs ?? 30_000 };
  }
  let ends: [LinkEnd, LinkEnd];
  try {
    ends = [linkEndOf(mcA), linkEndOf(mcB)];
  } catch (err) {
    if (err instanceof LinkEndError) return waitWith('NotReadyToLink', err.message);
    throw err;
  }
  const link: OrchestratedLink = { name, kind, a: ends[0], b: ends[1] };
  const adapters = await endAdapters(ctx, [mcA, mcB]);
  const rotation = peering.spec.keyRotation ?? '';
  const status = peering.status ?? {};
  const tunnelKeys =
    kind === 'ipsec-vpn' ? await props.vault.keys(name, rotation, vpnLayout(link.a, link.b).tunnels) : [];
  const rt: PeeringRuntime = {
    adapters,
    tunnelKeys,
    gatewayClaims: gatewayClaimsOf(ctx),
    verify:
      props.verify ??
      (async (_a, _b, signal, progress) =>
        verifyThroughGateways(
          link.a.cluster,
          link.b.cluster,
          new GatewayProbes(ctx.redis, gatewayPrefix(ctx)),
          {
            providers: await verifyByProviders(link, adapters),
            ...(props.verifyTimeoutMs === undefined ? {} : { timeoutMs: props.verifyTimeoutMs }),
            ...(signal ? { signal } : {}),
            ...(progress ? { progress } : {}),
          },
        )),
    onpremConfig: props.onpremConfig ?? onpremConfigIn(props.vault, name, rotation),
    record: async (journal) => {
      await updatePeeringStatus(ctx, key, (prev) => ({
        ...prev,
        ...journal,
        link: { kind: linkKind, why: chosen.why },
        keyRotation: rotation,
        conditions: readyCondition(
          prev.conditions,
          journal.phase === 'Ready' ? 'True' : 'False',
          journal.phase === 'Ready' ? readyReason(journal) : journal.phase,
          journal.message ??
            `${journal.steps.filter((s) => s.state === 'done').length}/${journal.steps.length} steps done`,
          now(),
          generation,
        ),
        ...(journal.phase === 'Ready' ? { observedGeneration: generation } : {}),
      }));
    },
    ...(props.pollIntervalMs ? { pollIntervalMs: props.pollIntervalMs } : {}),
    now: () => new Date(ctx.clock.now()),
  };
  const upToDate = status.observedGeneration === generation && status.keyRotation === rotation;
  if (upToDate && status.phase === 'Ready') {
    await readHealth(
      ctx,
      key,
      link,
      adapters,
      now(),
      props.verify ? undefined : { last: status.gatewayPath },
    );
    return { phase: 'Ready', recheckAfterMs: props.healthEveryMs ?? 30_000 };
  }
  if (upToDate && status.phase === 'Failed') return { phase: 'Failed' };
  let journal: PeeringJournal = { phase: 'Provisioning', steps: status.steps ?? [] };
  if (status.keyRotation !== undefined && status.keyRotation !== rotation && kind === 'ipsec-vpn') {
    // New keys: the connections are replaced; gateways and routes stay.
    const names = resourceNames(name, link.a, link.b);
    const claims = gatewayClaimsOf(ctx);
    for (const side of ['a', 'b'] as const)
      for (const connName of names.connections(side)) {
        const remove = async () => adapters[side]?.network?.deleteVpnConnection(connName);
        // A GCP connection's BGP sessions live on the shared gateway's Cloud Router: under its lock.
        if (link[side].provider === 'gcp') await claims.exclusive(names.gateway(side), remove);
        else await remove();
      }
    const redo = /^(vpn\.connection|vpn\.peer-gateway|onprem\.config|vpn\.wait-up|verify)\//;
    journal = {
      ...journal,
      steps: journal.steps.map((s) =>
        redo.test(s.id) ? { id: s.id, title: s.title, state: 'pending' as const } : s,
      ),
    };
  }
  const result = await whileLeased(ctx, name, () => provisionLink(link, journal, rt));
  if (!result) return { phase: 'Busy', recheckAfterMs: LEASE_MS / 3 };
  return result.phase === 'Ready'
    ? { phase: 'Ready', recheckAfterMs: props.healthEveryMs ?? 30_000 }
    : { phase: result.phase };
}

/**
 * The default keeper of an on-prem end's configuration: strongSwan `swanctl.conf` (one IKEv2
 * connection per cloud tunnel address, with its pre-shared key), sealed beside the tunnel keys in
 * a vault that can hold it, for admins to download (`fedgate get peering NAME --config`).
 */
function onpremConfigIn(
  vault: TunnelKeyVault,
  peering: string,
  rotation: string,
): PeeringRuntime['onpremConfig'] {
  const store = vault as Partial<RedisTunnelKeyVault>;
  return async (input) => {
    if (!store.saveConfig) throw new LinkEndError('this worker keeps no on-prem configuration');
    if (!input) return store.saveConfig(peering, undefined);
    if (!input.site.publicIp) throw new LinkEndError(`${input.site.cluster} has no VPN endpoint address`);
    const count = Math.min(input.remoteIps.length, input.tunnelKeys.length);
    if (count === 0) throw new LinkEndError(`${input.remote.cluster} has no tunnel address yet`);
    const text = swanctlConf({
      localAddress: input.site.publicIp,
      localCidrs: input.site.cidrs,
      remoteCidrs: input.remote.cidrs,
      tunnels: input.remoteIps.slice(0, count).map((ip, i) => ({
        name: `fedgate-${peering}-${i}`.replace(/[^A-Za-z0-9_-]/g, '-'),
        remoteAddress: ip,
        sharedKey: input.tunnelKeys[i]!,
      })),
    });
    await store.saveConfig(peering, text);
    if (store.wireguardKeys) {
      const wg = wireguardConfs(peering, input, await store.wireguardKeys(peering, rotation));
      await store.saveConfig(peering, wg.site, 'wireguard');
      await store.saveConfig(peering, wg.gateway, 'wireguard-gateway');
    }
  };
}

const WIREGUARD_PORT = 51820;

/**
 * WireGuard for an on-prem end, both wg-quick files. Cloud VPN gateways speak IPsec only, so the
 * cloud end of a WireGuard link is not the cloud's VPN gateway: it is a WireGuard interface run
 * beside the cloud cluster's east-west gateway (a host or pod inside that cluster's network, with
 * IP forwarding on). The site's address is the one known public endpoint: the gateway end dials it
 * and keeps the path open (PersistentKeepalive); the site learns the gateway end's address from
 * the handshake. Each end's AllowedIPs are the other side's ranges and its tunnel address. The
 * tunnel addresses are a /30 of 100.64.0.0/10 (shared address space) picked from the peering's
 * name, so they stay the same across runs.
 */
function wireguardConfs(
  peering: string,
  input: NonNullable<Parameters<PeeringRuntime['onpremConfig']>[0]>,
  keys: WireguardLinkKeys,
): { site: string; gateway: string } {
  const h = createHash('sha256').update(peering).digest();
  const net = `100.${64 + (h[0]! % 64)}.${h[1]!}.${h[2]! & 0xfc}`;
  const base = net.split('.').map(Number) as [number, number, number, number];
  const addr = (n: number) => `${base[0]}.${base[1]}.${base[2]}.${base[3] + n}`;
  const site = wireguardConf({
    privateKey: keys.sitePrivateKey,
    address: `${addr(1)}/30`,
    listenPort: WIREGUARD_PORT,
    peers: [
      {
        publicKey: wireguardPublicKey(keys.gatewayPrivateKey),
        presharedKey: keys.presharedKey,
        allowedIps: [`${addr(2)}/32`, ...input.remote.cidrs],
      },
    ],
  });
  const gateway = wireguardConf({
    privateKey: keys.gatewayPrivateKey,
    address: `${addr(2)}/30`,
    peers: [
      {
        publicKey: wireguardPublicKey(keys.sitePrivateKey),
        presharedKey: keys.presharedKey,
        endpoint: `${input.site.publicIp?.includes(':') ? `[${input.site.publicIp}]` : input.site.publicIp}:${WIREGUARD_PORT}`,
        allowedIps: [`${addr(1)}/32`, ...input.site.cidrs],
        keepaliveSeconds: 25,
      },
    ],
  });
  return { site, gateway };
}

const LEASE_MS = 15_000;

/**
 * Runs `work` while holding the peering's lease, renewed every third of it; undefined when another
 * run holds it. Two runs of one peering's steps at once (a job taken over as stalled while its
 * first run still goes on, a re-check and a change together) would each see the other's objects
 * half made and overwrite each other's journal; one at a time, a crashed holder's lease expires.
 */
async function whileLeased<T>(
  ctx: ControllerContext,
  name: string,
  work: () => Promise<T>,
): Promise<T | undefined> {
  const leases = new ClusterLeases(
    ctx.redis,
    `${ctx.store.prefix}:lease:peering`,
    `${ctx.workerId}/${randomUUID()}`,
    LEASE_MS,
  );
  if (!(await leases.acquire(name))) return undefined;
  const renew = setInterval(() => void leases.renew(name).catch(() => undefined), LEASE_MS / 3);
  renew.unref();
  try {
    return await work();
  } finally {
    clearInterval(renew);
    await leases.release(name).catch(() => undefined);
  }
}

/** Removes a deleted Peering's cloud objects on both sides, from its last stored state. */
export async function teardownPeering(
  last: PeeringObject,
  ctx: ControllerContext,
  props: PeeringControllerProps,
): Promise<string> {
  const clusters = await Promise.all(
    last.spec.clusters.map((c) => ctx.store.get({ type: MEMBER_CLUSTER_TYPE, namespace: '', name: c })),
  );
  if (clusters.some((c) => !c)) {
    ctx.log.warn(
      { peering: last.metadata.name },
      'a cluster of the deleted peering is gone: its side cannot be cleaned up',
    );
    return 'ClusterGone';
  }
  const [mcA, mcB] = clusters as [MemberClusterObject, MemberClusterObject];
  const kind = last.status?.link?.kind;
  if (!kind || kind === 'gateway-only') return 'NothingProvisioned';
  const link: OrchestratedLink = {
    name: last.metadata.name,
    kind: kind === 'ipsec-vpn' ? 'ipsec-vpn' : 'native-peering',
    a: linkEndOf(mcA),
    b: linkEndOf(mcB),
  };
  const adapters = await endAdapters(ctx, [mcA, mcB]);
  // Under the peering's lease: a Peering applied again under the same name while this runs waits
  // (its sync finds the lease taken and re-checks), instead of re-making objects being deleted
  // or having its new keys forgotten.
  const done = await whileLeased(ctx, last.metadata.name, async () => {
    await deleteLink(
      link,
      { phase: 'Deleting', steps: last.status?.steps ?? [] },
      {
        adapters,
        tunnelKeys: [],
        gatewayClaims: gatewayClaimsOf(ctx),
        verify: async () => '',
        onpremConfig: props.onpremConfig ?? (async () => undefined),
        record: async () => undefined,
      },
    );
    await props.vault.forget(last.metadata.name);
    return 'Deleted';
  });
  // Retried by the queue with backoff until the run holding the lease is over.
  if (!done) throw new LinkEndError(`peering ${last.metadata.name} is being worked on; removing it later`);
  return done;
}

/** The claims on shared VPN gateways, in the store's Redis: every worker of this store sees them. */
function gatewayClaimsOf(ctx: ControllerContext): RedisGatewayClaims {
  return new RedisGatewayClaims(ctx.redis, ctx.store.prefix, `${ctx.workerId}/${randomUUID()}`, {
    linkExists: async (link) =>
      (await ctx.store.get({ type: PEERING_TYPE, namespace: '', name: link })) !== undefined,
  });
}

async function endAdapters(
  ctx: ControllerContext,
  mcs: readonly MemberClusterObject[],
): Promise<Partial<Record<'a' | 'b', CloudAdapter>>> {
  const out: Partial<Record<'a' | 'b', CloudAdapter>> = {};
  for (const [i, side] of (['a', 'b'] as const).entries()) {
    const mc = mcs[i]!;
    if (mc.spec.provider === 'onprem') continue;
    if (!ctx.cloud) throw new LinkEndError('this worker has no cloud providers configured');
    const adapter = await ctx.cloud.forCluster(mc);
    if (adapter) out[side] = adapter;
  }
  return out;
}

/** What the providers say of a link now: its tunnels, what is down (if anything), a summary per end. */
interface LinkState {
  readonly tunnels: TunnelHealth[];
  readonly down?: string;
  readonly seen: string[];
}

async function readLinkState(
  link: OrchestratedLink,
  adapters: Partial<Record<'a' | 'b', CloudAdapter>>,
): Promise<LinkState> {
  const names = resourceNames(link.name, link.a, link.b);
  const tunnels: TunnelHealth[] = [];
  const seen: string[] = [];
  let down: string | undefined;
  for (const side of ['a', 'b'] as const) {
    const net = adapters[side]?.network;
    const end = link[side];
    if (!net) continue;
    if (link.kind === 'native-peering') {
      const p = await net.describePeering(names.peering, end.networkId);
      if (p?.state !== 'active') down ??= `${end.cluster}: peering is ${p?.providerState ?? 'missing'}`;
      seen.push(`${end.cluster}: peering ${p?.providerState ?? 'missing'}`);
      continue;
    }
    // AWS facing GCP has two connections (four tunnels); every other end has one.
    const conns = await Promise.all(names.connections(side).map((n) => net.describeVpnConnection(n)));
    const endTunnels = conns.flatMap((c) => c?.tunnels ?? []);
    for (const t of endTunnels)
      tunnels.push({
        cluster: end.cluster,
        outsideIp: t.outsideIp,
        status: t.status,
        ...(t.statusMessage ? { message: t.statusMessage } : {}),
        ...(t.lastStatusChange ? { lastStatusChange: t.lastStatusChange } : {}),
        ...(t.ingressBytes === undefined ? {} : { ingressBytes: t.ingressBytes }),
        ...(t.egressBytes === undefined ? {} : { egressBytes: t.egressBytes }),
      });
    const up = endTunnels.filter((t) => t.status === 'up').length;
    if (up === 0) down ??= `${end.cluster}: no tunnel up`;
    seen.push(`${end.cluster}: ${up}/${endTunnels.length} tunnels up`);
  }
  return { tunnels, seen, ...(down ? { down } : {}) };
}

/** Without gateways to send traffic through: both ends' own state says the link is up. */
async function verifyByProviders(
  link: OrchestratedLink,
  adapters: Partial<Record<'a' | 'b', CloudAdapter>>,
): Promise<string> {
  const state = await readLinkState(link, adapters);
  if (state.down) throw new LinkEndError(state.down);
  return `verified by the providers' link state (${state.seen.join('; ')})`;
}

/**
 * Where the gateways register and take probes: under the store's prefix without its hash tag (a
 * gateway's `redisPrefix` is the store prefix, `fg` by default; the store's own keys are `{fg}:…`).
 */
function gatewayPrefix(ctx: ControllerContext): string {
  return ctx.store.prefix.replace(/^\{(.*)\}$/, '$1');
}

/** Ready, or GatewaysNotDeployed when the last step could not check through the gateways. */
function readyReason(journal: Partial<PeeringJournal>): string {
  const v = journal.steps?.find((s) => s.id === 'verify/a');
  return v?.outputs?.gateways === GATEWAYS_NOT_DEPLOYED ? GATEWAYS_NOT_DEPLOYED : 'Ready';
}

/** How long one health read's probe through the gateways may take, each way (ms). */
const HEALTH_PROBE_MS = 5_000;

/**
 * One probe each way through the two clusters' east-west gateways, folded into the path's history;
 * undefined when the probe could not be asked (Redis unreachable: logged, the read goes on).
 */
async function readGatewayPath(
  ctx: ControllerContext,
  peering: string,
  a: string,
  b: string,
  last: GatewayPathHealth | undefined,
  now: string,
): Promise<GatewayPathHealth | undefined> {
  try {
    const prober = new GatewayProbes(ctx.redis, gatewayPrefix(ctx));
    return nextPathHealth(a, b, last, await probeGatewayPath(a, b, prober, HEALTH_PROBE_MS), now);
  } catch (err) {
    ctx.log.warn({ err, peering }, 'probe through the east-west gateways not run');
    return undefined;
  }
}

/**
 * Reads tunnel and peering state from the providers into the status; a link that went down turns
 * Ready False. While the providers report it up, and `gateways` is given, a probe each way through
 * the two clusters' east-west gateways measures the round trips and the loss over recent reads (a
 * peering made before its gateways ran is verified through them here, once they register).
 */
async function readHealth(
  ctx: ControllerContext,
  key: { type: string; namespace: string; name: string },
  link: OrchestratedLink,
  adapters: Partial<Record<'a' | 'b', CloudAdapter>>,
  now: string,
  /** Given: probe through the gateways, `last` being what the previous reads found. */
  gateways: { readonly last: GatewayPathHealth | undefined } | undefined,
): Promise<void> {
  const { tunnels, down } = await readLinkState(link, adapters);
  const [a, b] = [link.a.cluster, link.b.cluster];
  const path =
    !down && gateways ? await readGatewayPath(ctx, link.name, a, b, gateways.last, now) : undefined;
  if (ctx.metrics) {
    exportHealth(ctx.metrics, link.name, tunnels, !down);
    if (path) exportGatewayPath(ctx.metrics, link.name, a, b, path);
  }
  const verdict = path && pathVerdict(a, b, path);
  await updatePeeringStatus(ctx, key, (prev: PeeringStatus) => ({
    ...prev,
    tunnels,
    lastHealthCheck: now,
    ...(path && verdict ? { gatewayPath: path, message: verdict.message } : {}),
    conditions: readyCondition(
      prev.conditions,
      down ? 'False' : 'True',
      down ? 'LinkDown' : (verdict?.reason ?? readyReason(prev)),
      down ?? verdict?.message ?? prev.message ?? 'link up',
      now,
      prev.observedGeneration,
    ),
  }));
}
