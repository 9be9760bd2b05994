import type {
  CallOptions,
  CloudAdapter,
  NetworkCapability,
  RouteSpec,
} from '../../providers/cloud/adapter.js';
import { pollUntil } from '../../providers/cloud/poll.js';
import type { RouteTarget, VpnGateway } from '../../providers/cloud/types.js';
import { isProviderError, ProviderError } from '../../providers/provider-error.js';
import type { GatewayClaims } from './gateway-claims.js';
import { awsGcpInsideCidrs, planSteps, resourceNames } from './steps.js';
import type {
  LinkEnd,
  OrchestratedKind,
  PeeringJournal,
  PeeringStep,
  Side,
  StepOutputs,
  StepRecord,
} from './types.js';

/** What the on-prem end of a VPN needs to be configured: the cloud end's addresses, the keys, the ranges. */
export interface OnpremConfigInput {
  readonly site: LinkEnd;
  readonly remote: LinkEnd;
  /** The cloud end's tunnel outside addresses, one per tunnel key. */
  readonly remoteIps: readonly string[];
  readonly tunnelKeys: readonly string[];
}

/** Everything a run needs besides the link itself. */
export interface PeeringRuntime {
  /** The adapters of the cloud ends (absent for an on-prem end). */
  readonly adapters: Partial<Record<Side, CloudAdapter>>;
  /**
   * Pre-shared keys, one per tunnel (`vpnLayout(a, b).tunnels` of them), from a CSPRNG; stored
   * encrypted by the caller, never in the journal.
   */
  readonly tunnelKeys: readonly string[];
  /** Who uses each shared VPN gateway: needed by IPsec links (native peering uses no gateway). */
  readonly gatewayClaims?: GatewayClaims;
  /**
   * Checks traffic both ways through the east-west gateways; resolves with what it saw (a summary,
   * or outputs whose `message` becomes the Ready peering's message), throws when it cannot.
   * `progress` records a message on the running step.
   */
  verify(
    a: LinkEnd,
    b: LinkEnd,
    signal?: AbortSignal,
    progress?: (message: string) => Promise<void>,
  ): Promise<string | StepOutputs>;
  /** Stores (or, with `undefined`, removes) the generated configuration of an on-prem end. */
  onpremConfig(input: OnpremConfigInput | undefined, site: LinkEnd): Promise<void>;
  /** Saves the journal (the Peering's status); called after every state change, so a crash resumes there. */
  record(journal: PeeringJournal): Promise<void>;
  readonly signal?: AbortSignal;
  readonly pollIntervalMs?: number;
  /** How long to wait for a peering to turn active or tunnels to come up; default 10 minutes. */
  readonly waitTimeoutMs?: number;
  readonly now?: () => Date;
}

/** A link to orchestrate. */
export interface OrchestratedLink {
  /** The Peering's name: the cloud objects are named after it. */
  readonly name: string;
  readonly kind: OrchestratedKind;
  readonly a: LinkEnd;
  readonly b: LinkEnd;
}

/**
 * Runs the link's remaining steps in order, saving the journal after each. Steps already done are
 * skipped (their outputs feed later steps); a step found `running` (a crash mid-step) runs again,
 * which is safe because every step is idempotent by name. A retryable provider error is recorded
 * and thrown, for the queue to retry the job with backoff; any other error rolls back what was
 * done, in reverse, and ends the journal in `Failed` with the reason.
 */
export async function provisionLink(
  link: OrchestratedLink,
  journal: PeeringJournal,
  rt: PeeringRuntime,
): Promise<PeeringJournal> {
  const steps = planSteps(link.kind, link.a, link.b);
  let current: PeeringJournal = { phase: 'Provisioning', steps: mergeRecords(steps, journal.steps) };
  const now = () => (rt.now ?? (() => new Date()))().toISOString();
  const save = async (next: PeeringJournal) => {
    current = next;
    await rt.record(current);
  };
  for (const s of steps) {
    if (recordOf(current, s.id)?.state === 'done') continue;
    await save(withRecord(current, { id: s.id, title: s.title, state: 'running', startedAt: now() }));
    try {
      const outputs = await runStep(s, link, current, rt);
      await save(
        withRecord(current, {
          id: s.id,
          title: s.title,
          state: 'done',
          outputs,
          startedAt: recordOf(current, s.id)?.startedAt ?? now(),
          finishedAt: now(),
        }),
      );
    } catch (err) {
      const message = describe(err);
      if (isRetryable(err)) {
        await save({
          ...withRecord(current, { ...recordOf(current, s.id)!, message: `will retry: ${message}` }),
          message: `${s.title}: ${message}`,
        });
        throw err;
      }
      await save({
        ...withRecord(current, { ...recordOf(current, s.id)!, state: 'failed', message, finishedAt: now() }),
        phase: 'RollingBack',
        message: `${s.title} failed: ${message}`,
      });
      const rolledBack = await undoLink(link, current, rt, 'RollingBack');
      await save({
        ...rolledBack,
        phase: 'Failed',
        message: `${s.title} failed: ${message}; what was set up was removed`,
      });
      return current;
    }
  }
  const verified = recordOf(current, 'verify/a')?.outputs?.message;
  await save({
    ...current,
    phase: 'Ready',
    message: typeof verified === 'string' ? verified : 'both directions verified',
  });
  return current;
}

/**
 * Removes everything the link's steps create, in reverse order, whatever the journal says (a step
 * that crashed half-way may have created its object). Deleting what is absent succeeds, so this is
 * safe to repeat. Ends in `Deleted`.
 */
export async function deleteLink(
  link: OrchestratedLink,
  journal: PeeringJournal,
  rt: PeeringRuntime,
): Promise<PeeringJournal> {
  const steps = planSteps(link.kind, link.a, link.b);
  let current: PeeringJournal = { ...journal, phase: 'Deleting', steps: mergeRecords(steps, journal.steps) };
  await rt.record(current);
  current = await undoLink(link, current, rt, 'Deleting');
  current = { ...current, phase: 'Deleted', message: 'every object of the link was removed on both sides' };
  await rt.record(current);
  return current;
}

async function undoLink(
  link: OrchestratedLink,
  journal: PeeringJournal,
  rt: PeeringRuntime,
  phase: 'RollingBack' | 'Deleting',
): Promise<PeeringJournal> {
  let current: PeeringJournal = { ...journal, phase };
  for (const s of [...planSteps(link.kind, link.a, link.b)].reverse()) {
    await undoStep(s, link, current, rt);
    const rec = recordOf(current, s.id);
    if (rec && rec.state !== 'pending') {
      current = withRecord(current, { ...rec, state: 'undone' });
      await rt.record(current);
    }
  }
  return current;
}

/** Executes one step; returns what later steps need. */
async function runStep(
  s: PeeringStep,
  link: OrchestratedLink,
  journal: PeeringJournal,
  rt: PeeringRuntime,
): Promise<StepOutputs> {
  const names = resourceNames(link.name, link.a, link.b);
  const end = link[s.side];
  const other = link[otherSide(s.side)];
  const opts = { ...(rt.signal ? { signal: rt.signal } : {}) };
  const out = (id: string) => recordOf(journal, id)?.outputs ?? {};
  switch (s.action) {
    case 'peering.request':
    case 'peering.accept': {
      // Seen from this end either way: its network is local, the other end's remote.
      const spec = {
        name: names.peering,
        localNetworkId: end.networkId,
        remote: { scope: other.scope, networkId: other.networkId },
      };
      const n = net(rt, s.side);
      const p =
        s.action === 'peering.request'
          ? await n.ensurePeering(spec, opts)
          : await n.acceptPeering(spec, opts);
      return { peeringId: p.id, state: p.state };
    }
    case 'peering.wait-active': {
      const p = await pollUntil(
        async () => {
          const seen = await net(rt, s.side).describePeering(names.peering, end.networkId, opts);
          if (!seen) throw new ProviderError('NotFound', `peering ${names.peering} disappeared`);
          if (seen.state === 'failed')
            throw new ProviderError(
              'Invalid',
              `peering ${names.peering} failed: ${seen.message ?? seen.providerState}`,
            );
          return seen.state === 'active'
            ? { done: true, value: seen }
            : { done: false, state: seen.providerState };
        },
        { what: `peering ${names.peering} to become active`, ...pollOpts(rt) },
      );
      return { peeringId: p.id, state: p.state };
    }
    case 'vpn.gateway': {
      // The network's one gateway, shared by its links: claimed before it is made, under its lock.
      const name = names.gateway(s.side);
      const claims = claimsOf(rt);
      const gw = await claims.exclusive(
        name,
        async () => {
          await claims.claim(name, link.name);
          return ensureGatewayAvailable(net(rt, s.side), name, end, rt);
        },
        rt.signal,
      );
      return {
        gateway: name,
        gatewayId: gw.id,
        publicIps: gw.publicIps,
        ...(gw.asn ? { asn: gw.asn } : {}),
      };
    }
    case 'vpn.peer-gateway': {
      const o = otherSide(s.side);
      const all = endpointIps(link[o], out(`vpn.gateway/${o}`), out(`vpn.connection/${o}`));
      if (all.length === 0)
        throw new ProviderError('Invalid', `${link[o].cluster} has no VPN endpoint address yet`);
      const pgNames = names.peerGateways(s.side);
      // An AWS customer gateway has exactly one address: one per far-end interface it connects to
      // (facing GCP HA VPN, one per HA VPN interface, each with its own VPN connection).
      if (end.provider === 'aws' && all.length < pgNames.length)
        throw new ProviderError(
          'Invalid',
          `${link[o].cluster} has ${all.length} VPN endpoint address(es), ${pgNames.length} needed`,
        );
      const asn = link[o].asn ?? (out(`vpn.gateway/${o}`).asn as number | undefined);
      const made = [];
      for (const [i, pgName] of pgNames.entries()) {
        const publicIps = end.provider === 'aws' ? [all[i]!] : all;
        made.push(
          await net(rt, s.side).ensurePeerGateway(
            { name: pgName, publicIps, cidrs: other.cidrs, ...(asn ? { asn } : {}) },
            opts,
          ),
        );
      }
      return { peerGatewayIds: made.map((p) => p.id), publicIps: made.flatMap((p) => p.publicIps) };
    }
    case 'vpn.connection': {
      const connNames = names.connections(s.side);
      const peerIds = peerGatewayIdsOf(out(`vpn.peer-gateway/${s.side}`));
      const need = names.layout.tunnels;
      if (rt.tunnelKeys.length < need)
        throw new ProviderError(
          'Invalid',
          `the link needs ${need} tunnel keys, ${rt.tunnelKeys.length} given`,
        );
      // The link's keys are split over the end's connections: AWS facing GCP gives each of its two
      // connections two keys, in the order GCP's four tunnels use them.
      const perConnection = need / connNames.length;
      // AWS ↔ GCP: both ends get the same inside /30 per tunnel (AWS the first address, GCP the
      // second): chosen once, by the first end's step, clear of the GCP Cloud Router's other BGP
      // sessions (it is shared by the network's links), and recorded for the other end's.
      const recorded = out(`vpn.connection/${otherSide(s.side)}`).insideCidrs;
      const inside =
        need !== 4
          ? undefined
          : Array.isArray(recorded) && recorded.length === 4
            ? (recorded as string[])
            : awsGcpInsideCidrs(link.name, await otherBgpRanges(rt, link, names, opts));
      const offset = (i: number) => i * perConnection;
      const made = [];
      for (const [i, connName] of connNames.entries()) {
        const peerGatewayId = peerIds[i];
        if (!peerGatewayId)
          throw new ProviderError('Invalid', `no peer gateway recorded for ${connName}; register it first`);
        made.push(
          await onSharedRouter(rt, link, s.side, () =>
            net(rt, s.side).ensureVpnConnection(
              {
                name: connName,
                gatewayId: String(out(`vpn.gateway/${s.side}`).gatewayId),
                peerGatewayId,
                tunnels: rt.tunnelKeys.slice(offset(i), offset(i) + perConnection).map((sharedKey, k) => ({
                  sharedKey,
                  ...(inside
                    ? {
                        insideCidr: inside[offset(i) + k]!,
                        ...(end.provider === 'aws' ? {} : { peerTakesFirstAddress: true }),
                      }
                    : {}),
                })),
                // GCP HA VPN routes only with BGP, so a link with a GCP end uses it on both ends.
                bgp: link.a.provider === 'gcp' || link.b.provider === 'gcp',
                staticRoutes: other.cidrs,
              },
              opts,
            ),
          ),
        );
      }
      return {
        connectionId: made[0]!.id,
        connectionIds: made.map((c) => c.id),
        tunnelIps: made.flatMap((c) => c.tunnels.map((t) => t.outsideIp)),
        ...(inside ? { insideCidrs: inside } : {}),
      };
    }
    case 'onprem.config': {
      const o = otherSide(s.side);
      const remoteIps = endpointIps(link[o], out(`vpn.gateway/${o}`), out(`vpn.connection/${o}`));
      await rt.onpremConfig({ site: end, remote: other, remoteIps, tunnelKeys: rt.tunnelKeys }, end);
      return { remoteIps };
    }
    case 'routes': {
      const target = routeTarget(link, s.side, journal);
      for (const cidr of other.cidrs)
        await net(rt, s.side).ensureRoute(routeSpec(names.route(s.side, cidr), end, cidr, target), opts);
      return { routes: other.cidrs };
    }
    case 'vpn.wait-up': {
      for (const side of ['a', 'b'] as const) {
        if (link[side].provider === 'onprem') continue;
        for (const connName of names.connections(side))
          await pollUntil(
            async () => {
              const c = await net(rt, side).describeVpnConnection(connName, opts);
              if (!c) throw new ProviderError('NotFound', `VPN connection ${connName} disappeared`);
              if (c.state === 'failed')
                throw new ProviderError(
                  'Invalid',
                  `VPN connection ${connName} failed: ${c.message ?? c.providerState}`,
                );
              const up = c.state === 'available' && c.tunnels.some((t) => t.status === 'up');
              return up
                ? { done: true, value: c }
                : {
                    done: false,
                    state: `${c.providerState}, tunnels ${c.tunnels.map((t) => t.status).join('/')}`,
                  };
            },
            { what: `the tunnels of ${connName}`, ...pollOpts(rt) },
          );
      }
      return {};
    }
    case 'verify': {
      const running = recordOf(journal, s.id)!;
      const v = await rt.verify(link.a, link.b, rt.signal, (message) =>
        rt.record(withRecord(journal, { ...running, message })),
      );
      return typeof v === 'string' ? { verified: v } : v;
    }
  }
}

/** The undo of one step; every delete succeeds when the object is already gone. */
async function undoStep(
  s: PeeringStep,
  link: OrchestratedLink,
  journal: PeeringJournal,
  rt: PeeringRuntime,
): Promise<void> {
  const names = resourceNames(link.name, link.a, link.b);
  const end = link[s.side];
  const other = link[otherSide(s.side)];
  const opts = { ...(rt.signal ? { signal: rt.signal } : {}) };
  switch (s.action) {
    case 'peering.request':
    case 'peering.accept':
      return net(rt, s.side).deletePeering(names.peering, end.networkId, opts);
    case 'vpn.gateway': {
      // A peering set up before gateways were shared had a gateway of its own: remove it.
      const outputs = recordOf(journal, s.id)?.outputs;
      if (outputs?.gatewayId !== undefined && outputs.gateway === undefined)
        await net(rt, s.side).deleteVpnGateway(names.legacyGateway(s.side), opts);
      // The shared gateway goes only with its last user; another link's claim keeps it.
      const name = names.gateway(s.side);
      const claims = claimsOf(rt);
      await claims.exclusive(
        name,
        async () => {
          const others = await claims.release(name, link.name);
          if (others.length === 0) await net(rt, s.side).deleteVpnGateway(name, opts);
        },
        rt.signal,
      );
      return;
    }
    case 'vpn.peer-gateway':
      for (const pgName of names.peerGateways(s.side)) await net(rt, s.side).deletePeerGateway(pgName, opts);
      return;
    case 'vpn.connection':
      for (const connName of names.connections(s.side))
        await onSharedRouter(rt, link, s.side, () => net(rt, s.side).deleteVpnConnection(connName, opts));
      return;
    case 'onprem.config':
      return rt.onpremConfig(undefined, end);
    case 'routes': {
      const target = routeTarget(link, s.side, journal);
      for (const cidr of other.cidrs)
        await net(rt, s.side).deleteRoute(routeSpec(names.route(s.side, cidr), end, cidr, target), opts);
      return;
    }
    case 'peering.wait-active':
    case 'vpn.wait-up':
    case 'verify':
      return;
  }
}

/**
 * The BGP ranges the GCP end's shared Cloud Router uses for other links' sessions (its interfaces
 * not named after this link's connections).
 */
async function otherBgpRanges(
  rt: PeeringRuntime,
  link: OrchestratedLink,
  names: ReturnType<typeof resourceNames>,
  opts: CallOptions,
): Promise<string[]> {
  const g: Side = link.a.provider === 'gcp' ? 'a' : 'b';
  const gw = await net(rt, g).describeVpnGateway(names.gateway(g), opts);
  const own = names.connections(g).map((c) => `${c}-if-`);
  return (gw?.bgpRanges ?? []).filter((r) => !own.some((p) => r.name.startsWith(p))).map((r) => r.range);
}

/** Waits until the gateway (found or made) is available: a gateway still being made has no addresses yet. */
async function ensureGatewayAvailable(
  n: NetworkCapability,
  name: string,
  end: LinkEnd,
  rt: PeeringRuntime,
): Promise<VpnGateway> {
  const opts = { ...(rt.signal ? { signal: rt.signal } : {}) };
  const made = await n.ensureVpnGateway(
    { name, networkId: end.networkId, ...(end.asn ? { asn: end.asn } : {}) },
    opts,
  );
  if (made.state === 'available') return made;
  return pollUntil(
    async () => {
      const seen = await n.describeVpnGateway(name, opts);
      if (!seen) throw new ProviderError('NotFound', `VPN gateway ${name} disappeared`);
      if (seen.state === 'failed') throw new ProviderError('Invalid', `VPN gateway ${name} failed`);
      return seen.state === 'available' ? { done: true, value: seen } : { done: false, state: seen.state };
    },
    { what: `VPN gateway ${name} to become available`, ...pollOpts(rt) },
  );
}

/**
 * Runs a connection's create or delete on a GCP end under its shared gateway's lock: the Cloud
 * Router of a shared HA VPN gateway is shared too, and its BGP interfaces and peers are written
 * whole (read, add or remove this link's, write back), so two links must not write it at once.
 */
function onSharedRouter<T>(rt: PeeringRuntime, link: OrchestratedLink, side: Side, work: () => Promise<T>) {
  if (link[side].provider !== 'gcp') return work();
  const names = resourceNames(link.name, link.a, link.b);
  return claimsOf(rt).exclusive(names.gateway(side), work, rt.signal);
}

function claimsOf(rt: PeeringRuntime): GatewayClaims {
  if (!rt.gatewayClaims)
    throw new ProviderError('Invalid', 'this runtime keeps no claims on shared VPN gateways');
  return rt.gatewayClaims;
}

/** The peer gateways a `vpn.peer-gateway` step made (one id in journals written before there could be two). */
function peerGatewayIdsOf(outputs: StepOutputs): string[] {
  const ids = outputs.peerGatewayIds as readonly string[] | undefined;
  if (ids) return [...ids];
  return outputs.peerGatewayId === undefined ? [] : [String(outputs.peerGatewayId)];
}

/** Where an end's routes to the other end point: the peering, the VPN gateway, or (GCP) the tunnel. */
function routeTarget(link: OrchestratedLink, side: Side, journal: PeeringJournal): RouteTarget {
  const out = (id: string) => recordOf(journal, id)?.outputs ?? {};
  if (link.kind === 'native-peering') {
    const id =
      out(side === 'a' ? 'peering.request/a' : 'peering.accept/b').peeringId ??
      out('peering.wait-active/a').peeringId;
    return { kind: 'peering', id: String(id ?? '') };
  }
  if (link[side].provider === 'gcp')
    return { kind: 'vpn-connection', id: String(out(`vpn.connection/${side}`).connectionId ?? '') };
  return { kind: 'vpn-gateway', id: String(out(`vpn.gateway/${side}`).gatewayId ?? '') };
}

function routeSpec(name: string, end: LinkEnd, cidr: string, target: RouteTarget): RouteSpec {
  return { name, networkId: end.networkId, destinationCidr: cidr, target };
}

/** The addresses tunnels to `end` terminate on: a site's endpoint, the gateway's, or (AWS) the connection's tunnels. */
function endpointIps(end: LinkEnd, gateway: StepOutputs, connection: StepOutputs): string[] {
  if (end.provider === 'onprem') return end.publicIp ? [end.publicIp] : [];
  const own = (gateway.publicIps as readonly string[] | undefined) ?? [];
  return own.length > 0 ? [...own] : [...((connection.tunnelIps as readonly string[] | undefined) ?? [])];
}

function net(rt: PeeringRuntime, side: Side): NetworkCapability {
  const n = rt.adapters[side]?.network;
  if (!n)
    throw new ProviderError('Invalid', `the ${side} end has no cloud adapter with the network capability`);
  return n;
}

function pollOpts(rt: PeeringRuntime) {
  return {
    intervalMs: rt.pollIntervalMs ?? 1_000,
    timeoutMs: rt.waitTimeoutMs ?? 600_000,
    ...(rt.signal ? { signal: rt.signal } : {}),
  };
}

function otherSide(s: Side): Side {
  return s === 'a' ? 'b' : 'a';
}

function isRetryable(err: unknown): boolean {
  return isProviderError(err) ? err.retryable : !(err instanceof Error && err.name === 'AbortError');
}

function describe(err: unknown): string {
  if (isProviderError(err)) return err.providerCode ? `${err.providerCode}: ${err.message}` : err.message;
  return err instanceof Error ? err.message : String(err);
}

function mergeRecords(steps: readonly PeeringStep[], records: readonly StepRecord[]): StepRecord[] {
  const byId = new Map(records.map((r) => [r.id, r]));
  return steps.map((s) => byId.get(s.id) ?? { id: s.id, title: s.title, state: 'pending' });
}

function recordOf(j: PeeringJournal, id: string): StepRecord | undefined {
  return j.steps.find((r) => r.id === id);
}

function withRecord(j: PeeringJournal, rec: StepRecord): PeeringJournal {
  return { ...j, steps: j.steps.map((r) => (r.id === rec.id ? rec : r)) };
}
