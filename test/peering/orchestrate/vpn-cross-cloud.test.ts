import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InProcessGatewayClaims } from '../../../peering/orchestrate/gateway-claims.js';
import {
  deleteLink,
  type OrchestratedLink,
  type PeeringRuntime,
  provisionLink,
} from '../../../peering/orchestrate/run-steps.js';
import { awsGcpInsideCidrs, sharedGatewayName } from '../../../peering/orchestrate/steps.js';
import { newTunnelKey } from '../../../peering/orchestrate/tunnel-keys.js';
import type { LinkEnd, PeeringJournal } from '../../../peering/orchestrate/types.js';
import type { CloudAdapter } from '../../../providers/cloud/adapter.js';
import { type AwsTestEnv, startAwsEnv } from '../../providers/aws/fixture.js';
import { type AzureEnv, startAzureEnv } from '../../providers/azure/fixture.js';
import { type GcpEnv, startGcpEnv } from '../../providers/gcp/fixture.js';

type Kind = 'vpn-gateway' | 'peer-gateway' | 'vpn-connection' | 'route';
const KINDS: readonly Kind[] = ['vpn-gateway', 'peer-gateway', 'vpn-connection', 'route'];

/**
 * Site-to-site IPsec across two clouds, through the orchestrator and the real SDKs against two
 * simulators at once: AWS ↔ GCP (HA VPN with Cloud Router and BGP, in Google's four-tunnel
 * topology) and AWS ↔ Azure (virtual network gateway, static routes). Both sides are created, both
 * get the same pre-shared keys, the tunnels come up on both, the keys appear in nothing logged or
 * recorded, and delete removes both sides. A network's VPN gateway is shared by its links.
 */
describe('peering orchestration: cross-cloud site-to-site VPN', () => {
  let aws: AwsTestEnv;
  let gcp: GcpEnv;
  let azure: AzureEnv;
  beforeAll(async () => {
    [aws, gcp, azure] = await Promise.all([
      startAwsEnv({ operationMs: 50 }),
      startGcpEnv({ operationDelayMs: 30 }),
      startAzureEnv({ operationDelayMs: 30 }),
    ]);
  }, 120_000);
  afterAll(async () => {
    await Promise.all([aws?.teardown(), gcp?.teardown(), azure?.teardown()]);
  });

  function end(cluster: string, adapter: CloudAdapter, networkId: string, cidrs: string[]): LinkEnd {
    return {
      cluster,
      provider: adapter.provider,
      scope: adapter.scope,
      networkId,
      cidrs,
      // Distinct private ASNs per cloud side: BGP (GCP) needs them to differ.
      asn: { aws: 64512, gcp: 65010, azure: 65515, onprem: 65020 }[adapter.provider],
    };
  }

  const claims = new InProcessGatewayClaims();

  function runtime(
    adapters: PeeringRuntime['adapters'],
    keys: string[],
    journals: PeeringJournal[],
  ): PeeringRuntime {
    return {
      adapters,
      tunnelKeys: keys,
      gatewayClaims: claims,
      verify: async () => 'tunnels up on both ends',
      onpremConfig: async () => undefined,
      record: async (j) => {
        journals.push(j);
      },
      pollIntervalMs: 25,
      waitTimeoutMs: 60_000,
    };
  }

  function counts(env: { countResources?: (k: never) => number }): Record<Kind, number> {
    const count = env.countResources as (k: Kind) => number;
    return Object.fromEntries(KINDS.map((k) => [k, count(k)])) as Record<Kind, number>;
  }

  function expectNoKeyIn(texts: readonly string[], keys: readonly string[]): void {
    for (const text of texts) for (const key of keys) expect(text.includes(key)).toBe(false);
  }

  it('AWS ↔ GCP HA VPN, four tunnels: two customer gateways and connections on AWS, a four-address peer and four tunnels on GCP, same keys, keys nowhere in logs or status, deleted on both sides', async () => {
    const keys = [newTunnelKey(), newTunnelKey(), newTunnelKey(), newTunnelKey()];
    const journals: PeeringJournal[] = [];
    const link: OrchestratedLink = {
      name: 'eks-a--gke-peer',
      kind: 'ipsec-vpn',
      a: end('eks-a', aws.adapter, aws.networkId, ['10.10.0.0/16']),
      b: end('gke-peer', gcp.peerAdapter!, gcp.peerNetworkId!, ['10.20.0.0/20']),
    };
    const rt = runtime({ a: aws.adapter, b: gcp.peerAdapter! }, keys, journals);
    const before = { aws: counts(aws), gcp: counts(gcp) };

    const done = await provisionLink(link, { phase: 'Provisioning', steps: [] }, rt);
    expect(done.message).toBe('both directions verified');
    expect(done.phase).toBe('Ready');
    // AWS connects first (its tunnel addresses come with the connection), then GCP registers them.
    expect(done.steps.map((s) => `${s.id}:${s.state}`)).toEqual([
      'vpn.gateway/a:done',
      'vpn.gateway/b:done',
      'vpn.peer-gateway/a:done',
      'vpn.connection/a:done',
      'vpn.peer-gateway/b:done',
      'vpn.connection/b:done',
      'routes/a:done',
      'routes/b:done',
      'vpn.wait-up/a:done',
      'verify/a:done',
    ]);
    const afterUp = { aws: counts(aws), gcp: counts(gcp) };
    // One gateway each; AWS has a customer gateway and a connection per HA VPN interface.
    expect(afterUp.aws['vpn-gateway'] - before.aws['vpn-gateway']).toBe(1);
    expect(afterUp.aws['peer-gateway'] - before.aws['peer-gateway']).toBe(2);
    expect(afterUp.aws['vpn-connection'] - before.aws['vpn-connection']).toBe(2);
    for (const k of ['vpn-gateway', 'peer-gateway', 'vpn-connection'] as const)
      expect(afterUp.gcp[k] - before.gcp[k]).toBe(1);
    expect(afterUp.aws.route).toBeGreaterThan(before.aws.route);
    expect(afterUp.gcp.route).toBeGreaterThan(before.gcp.route);

    // Both clouds hold the same four keys: AWS in its tunnel options, GCE as the secret's hash.
    const awsTunnels = [...aws.sim.store.vpnConnections.values()]
      .filter((c) => !c.deleting)
      .flatMap((c) => c.tunnels);
    expect(awsTunnels.map((t) => t.presharedKey).sort()).toEqual([...keys].sort());
    const hash = (k: string) => createHash('sha256').update(k).digest('base64url').slice(0, 27);
    expect(
      gcp.sim
        .resources('vpnTunnels')
        .map((t) => t.sharedSecretHash)
        .sort(),
    ).toEqual(keys.map(hash).sort());
    // The tunnels are up on both sides as each provider reports them.
    const names = `fedgate-${link.name}`;
    const awsConns = await Promise.all(
      [0, 1].map((i) => aws.adapter.network!.describeVpnConnection(`${names}-vpn-a-${i}`)),
    );
    const gcpConn = await gcp.peerAdapter!.network!.describeVpnConnection(`${names}-vpn-b`);
    for (const c of awsConns) expect(c?.tunnels.map((t) => t.status)).toEqual(['up', 'up']);
    expect(gcpConn?.tunnels.map((t) => t.status)).toEqual(['up', 'up', 'up', 'up']);
    // Each AWS customer gateway is one HA VPN interface's address.
    const gcpGw = await gcp.peerAdapter!.network!.describeVpnGateway(sharedGatewayName(link.b));
    const cgws = await Promise.all(
      [0, 1].map((i) => aws.adapter.network!.describePeerGateway(`${names}-peer-a-${i}`)),
    );
    expect(cgws.map((c) => c?.publicIps[0])).toEqual(gcpGw?.publicIps);
    // GCP's external gateway has the four AWS tunnel addresses in Google's order (connection 0's
    // two, then connection 1's), and interface i of HA VPN carries the tunnels to 2i and 2i+1.
    const gcpPeer = await gcp.peerAdapter!.network!.describePeerGateway(`${names}-peer-b`);
    expect(gcpPeer?.publicIps).toEqual(awsConns.flatMap((c) => c!.tunnels.map((t) => t.outsideIp)));
    const simPeer = gcp.sim.resources('externalVpnGateways').find((g) => g.name === `${names}-peer-b`);
    expect(simPeer?.redundancyType).toBe('FOUR_IPS_REDUNDANCY');
    const simTunnels = gcp.sim
      .resources('vpnTunnels')
      .map((t) => `${t.vpnGatewayInterface}->${t.peerExternalGatewayInterface}`)
      .sort();
    expect(simTunnels).toEqual(['0->0', '0->1', '1->2', '1->3']);
    // Each AWS connection carries the keys of the GCP tunnels that reach it.
    const awsByConn = [0, 1].map((i) =>
      [...aws.sim.store.vpnConnections.values()]
        .filter((c) => !c.deleting)
        .find((c) => c.tags.get('Name') === `${names}-vpn-a-${i}`)
        ?.tunnels.map((t) => t.presharedKey),
    );
    expect(awsByConn).toEqual([keys.slice(0, 2), keys.slice(2, 4)]);
    // BGP over each tunnel: AWS has the /30's first address, the Cloud Router the second (its BGP
    // peer is AWS's), the pairing Google's guide gives.
    const inside = awsGcpInsideCidrs(link.name);
    const awsInside = [0, 1].flatMap(
      (i) =>
        [...aws.sim.store.vpnConnections.values()]
          .filter((c) => !c.deleting)
          .find((c) => c.tags.get('Name') === `${names}-vpn-a-${i}`)
          ?.tunnels.map((t) => t.insideCidr) ?? [],
    );
    expect(awsInside).toEqual(inside);
    const host = (cidr: string, n: number) => cidr.replace(/\.(\d+)\/30$/, (_, x) => `.${Number(x) + n}`);
    const router = gcp.sim.resources('routers').find((r) => r.name === `${sharedGatewayName(link.b)}-router`);
    const ifaces = router?.interfaces as { name: string; ipRange: string }[];
    const peers = router?.bgpPeers as { interfaceName: string; peerIpAddress: string; ipAddress: string }[];
    expect(ifaces.map((x) => x.ipRange)).toEqual(inside.map((c) => `${host(c, 2)}/30`));
    expect(peers.map((x) => x.peerIpAddress)).toEqual(inside.map((c) => host(c, 1)));
    const awsConn = awsConns[0];

    // The keys are in nothing logged, nothing recorded (the status the API serves), no describe answer.
    expectNoKeyIn([...aws.logged(), ...gcp.logged()], keys);
    expectNoKeyIn(
      journals.map((j) => JSON.stringify(j)),
      keys,
    );
    expectNoKeyIn([JSON.stringify(awsConn), JSON.stringify(gcpConn)], keys);

    const gone = await deleteLink(link, done, rt);
    expect(gone.phase).toBe('Deleted');
    expect(counts(aws)).toEqual(before.aws);
    expect(counts(gcp)).toEqual(before.gcp);
  }, 180_000);

  it('a second AWS ↔ GCP link whose derived BGP /28 is taken on the shared Cloud Router takes the next free one', async () => {
    const gke = end('gke-peer', gcp.peerAdapter!, gcp.peerNetworkId!, ['10.20.0.0/20']);
    const first: OrchestratedLink = {
      name: 'eks-a--gke-peer',
      kind: 'ipsec-vpn',
      a: end('eks-a', aws.adapter, aws.networkId, ['10.10.0.0/16']),
      b: gke,
    };
    // A link name whose /28 (derived from the name) is the first link's.
    const slotOf = (name: string) => awsGcpInsideCidrs(name)[0];
    let name = '';
    for (let i = 0; !name; i++)
      if (slotOf(`eks-b--gke-peer-${i}`) === slotOf(first.name)) name = `eks-b--gke-peer-${i}`;
    const second: OrchestratedLink = {
      name,
      kind: 'ipsec-vpn',
      a: end('eks-b', aws.peerAdapter!, aws.peerNetworkId!, ['10.30.0.0/16']),
      b: gke,
    };
    const keys = () => [newTunnelKey(), newTunnelKey(), newTunnelKey(), newTunnelKey()];
    const firstRt = runtime({ a: aws.adapter, b: gcp.peerAdapter! }, keys(), []);
    const secondRt = runtime({ a: aws.peerAdapter!, b: gcp.peerAdapter! }, keys(), []);
    const before = { aws: counts(aws), gcp: counts(gcp) };
    const one = await provisionLink(first, { phase: 'Provisioning', steps: [] }, firstRt);
    const two = await provisionLink(second, { phase: 'Provisioning', steps: [] }, secondRt);
    expect([one.phase, two.phase, two.message]).toEqual(['Ready', 'Ready', 'both directions verified']);

    const router = gcp.sim.resources('routers').find((r) => r.name === `${sharedGatewayName(gke)}-router`);
    const ranges = ((router?.interfaces ?? []) as { ipRange: string }[]).map((x) => x.ipRange);
    const firstInside = awsGcpInsideCidrs(first.name);
    const secondInside = awsGcpInsideCidrs(second.name, firstInside);
    expect(secondInside).not.toEqual(firstInside);
    // Both ends of the second link use the /28 it moved to, as recorded in its journal.
    expect(two.steps.find((x) => x.id === 'vpn.connection/a')?.outputs?.insideCidrs).toEqual(secondInside);
    const host = (cidr: string, n: number) => cidr.replace(/\.(\d+)\/30$/, (_, x) => `.${Number(x) + n}`);
    expect(ranges).toEqual([...firstInside, ...secondInside].map((c) => `${host(c, 2)}/30`));

    expect((await deleteLink(second, two, secondRt)).phase).toBe('Deleted');
    expect((await deleteLink(first, one, firstRt)).phase).toBe('Deleted');
    expect(counts(aws)).toEqual(before.aws);
    expect(counts(gcp)).toEqual(before.gcp);
  }, 180_000);

  it('AWS ↔ Azure: virtual network gateway and connection on one side, VPN gateway and connection on the other, tunnels up, deleted on both sides', async () => {
    const keys = [newTunnelKey(), newTunnelKey()];
    const journals: PeeringJournal[] = [];
    const link: OrchestratedLink = {
      name: 'aks-weu--eks-peer',
      kind: 'ipsec-vpn',
      a: end('aks-weu', azure.adapter, azure.networkId, ['10.10.0.0/16']),
      b: end('eks-peer', aws.peerAdapter!, aws.peerNetworkId!, ['10.20.0.0/16']),
    };
    const rt = runtime({ a: azure.adapter, b: aws.peerAdapter! }, keys, journals);
    const before = { aws: counts(aws), azure: counts(azure) };

    const done = await provisionLink(link, { phase: 'Provisioning', steps: [] }, rt);
    expect(done.message).toBe('both directions verified');
    expect(done.phase).toBe('Ready');
    // The AWS end (b) connects first.
    expect(done.steps.map((s) => s.id).slice(2, 6)).toEqual([
      'vpn.peer-gateway/b',
      'vpn.connection/b',
      'vpn.peer-gateway/a',
      'vpn.connection/a',
    ]);
    const afterUp = { aws: counts(aws), azure: counts(azure) };
    for (const k of ['vpn-gateway', 'peer-gateway', 'vpn-connection'] as const) {
      expect(afterUp.aws[k] - before.aws[k]).toBe(1);
      expect(afterUp.azure[k] - before.azure[k]).toBe(1);
    }
    // Azure has one tunnel per connection: it carries the first key, which AWS's first tunnel has too.
    const azConn = azure.sim
      .resources('Microsoft.Network/connections')
      .find((c) => c.name === `fedgate-${link.name}-vpn-a`);
    expect(azConn?.properties.sharedKey).toBe(keys[0]);
    const awsConnSim = [...aws.sim.store.vpnConnections.values()].find(
      (c) => !c.deleting && c.account === aws.peerAdapter!.scope.account,
    );
    expect(awsConnSim?.tunnels.map((t) => t.presharedKey)).toContain(keys[0]);
    const azDescribed = await azure.adapter.network!.describeVpnConnection(`fedgate-${link.name}-vpn-a`);
    expect(azDescribed?.tunnels.some((t) => t.status === 'up')).toBe(true);

    expectNoKeyIn([...aws.logged(), ...azure.logged()], keys);
    expectNoKeyIn(
      journals.map((j) => JSON.stringify(j)),
      keys,
    );
    expectNoKeyIn([JSON.stringify(azDescribed)], keys);

    expect((await deleteLink(link, done, rt)).phase).toBe('Deleted');
    expect(counts(aws)).toEqual(before.aws);
    expect(counts(azure)).toEqual(before.azure);
  }, 180_000);
  it('an AWS network peering by VPN with GCP and Azure shares one gateway: a third link failing on Azure rolls back without touching the shared gateways, and each gateway goes with its last link', async () => {
    const eks = end('eks-a', aws.adapter, aws.networkId, ['10.10.0.0/16']);
    const gke = end('gke-peer', gcp.peerAdapter!, gcp.peerNetworkId!, ['10.20.0.0/20']);
    const aks = end('aks-weu', azure.adapter, azure.networkId, ['10.30.0.0/16']);
    const adapters = { eks: aws.adapter, gke: gcp.peerAdapter!, aks: azure.adapter };
    const linkOf = (name: string, a: LinkEnd, b: LinkEnd): OrchestratedLink => ({
      name,
      kind: 'ipsec-vpn',
      a,
      b,
    });
    const rtOf = (a: keyof typeof adapters, b: keyof typeof adapters) =>
      runtime(
        { a: adapters[a], b: adapters[b] },
        [1, 2, 3, 4].map(() => newTunnelKey()),
        [],
      );
    const before = { aws: counts(aws), gcp: counts(gcp), azure: counts(azure) };
    const toGcp = linkOf('eks-a--gke-peer', eks, gke);
    const toAzure = linkOf('eks-a--aks-weu', eks, aks);
    const upGcp = await provisionLink(toGcp, { phase: 'Provisioning', steps: [] }, rtOf('eks', 'gke'));
    const upAzure = await provisionLink(toAzure, { phase: 'Provisioning', steps: [] }, rtOf('eks', 'aks'));
    expect([upGcp.phase, upAzure.phase]).toEqual(['Ready', 'Ready']);
    // One virtual private gateway in the VPC (EC2 attaches no second one), carrying both links.
    expect(counts(aws)['vpn-gateway'] - before.aws['vpn-gateway']).toBe(1);
    const vgw = await aws.adapter.network!.describeVpnGateway(sharedGatewayName(eks));
    expect(vgw?.networkId).toBe(aws.networkId);
    expect(claims.users(sharedGatewayName(eks))).toEqual([toAzure.name, toGcp.name].sort());

    // A third link on Azure's VNet (whose one VPN gateway it shares) fails for good at the local
    // network gateway: its rollback leaves both shared gateways and the other links' tunnels up.
    const third = linkOf('aks-weu--eks-a', aks, eks);
    azure.faults.failNextOperation('SubscriptionQuotaExceeded: no more local network gateways allowed');
    const failed = await provisionLink(third, { phase: 'Provisioning', steps: [] }, rtOf('aks', 'eks'));
    expect(failed.phase).toBe('Failed');
    expect(failed.message).toMatch(/no more local network gateways/);
    expect(await aws.adapter.network!.describeVpnGateway(sharedGatewayName(eks))).toBeDefined();
    expect(await azure.adapter.network!.describeVpnGateway(sharedGatewayName(aks))).toBeDefined();
    expect(claims.users(sharedGatewayName(aks))).toEqual([toAzure.name]);
    const azConn = await azure.adapter.network!.describeVpnConnection(`fedgate-${toAzure.name}-vpn-b`);
    expect(azConn?.tunnels.some((t) => t.status === 'up')).toBe(true);
    const awsConn = await aws.adapter.network!.describeVpnConnection(`fedgate-${toGcp.name}-vpn-a-0`);
    expect(awsConn?.tunnels.every((t) => t.status === 'up')).toBe(true);

    // Deleting the GCP link removes GCP's gateway (its only user) but keeps AWS's for Azure's link.
    expect((await deleteLink(toGcp, upGcp, rtOf('eks', 'gke'))).phase).toBe('Deleted');
    expect(counts(gcp)).toEqual(before.gcp);
    expect(await aws.adapter.network!.describeVpnGateway(sharedGatewayName(eks))).toBeDefined();
    // The last link takes both remaining gateways with it.
    expect((await deleteLink(toAzure, upAzure, rtOf('eks', 'aks'))).phase).toBe('Deleted');
    expect(counts(aws)).toEqual(before.aws);
    expect(counts(azure)).toEqual(before.azure);
    expect(claims.users(sharedGatewayName(eks))).toEqual([]);
  }, 180_000);
});
