import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  allocateBlocks,
  findOverlaps,
  overlaps,
  PeeringPlanError,
  type PlanCluster,
  parseCidr,
  planPeering,
} from '../../../peering/plan/index.js';
import { defaultCostModel } from '../../../placement/model/cost-model.js';

const cluster = (
  name: string,
  provider: PlanCluster['provider'],
  region: string,
  node: string,
  pod: string,
  svc: string,
): PlanCluster => ({ name, provider, region, nodeCidrs: [node], podCidrs: [pod], serviceCidrs: [svc] });

/** The shape of `fedgate up`'s fleet: one cluster per line, distinct ranges. */
const FLEET: PlanCluster[] = [
  cluster('onprem-dc1', 'onprem', 'onprem-fra', '10.10.0.0/16', '10.110.0.0/16', '10.210.0.0/20'),
  cluster('aws-us-east-1', 'aws', 'us-east-1', '10.20.0.0/16', '10.120.0.0/16', '10.220.0.0/20'),
  cluster('aws-eu-west-1', 'aws', 'eu-west-1', '10.21.0.0/16', '10.121.0.0/16', '10.221.0.0/20'),
  cluster('gcp-europe-west1', 'gcp', 'europe-west1', '10.30.0.0/16', '10.130.0.0/16', '10.230.0.0/20'),
  cluster('azure-westeurope', 'azure', 'westeurope', '10.40.0.0/16', '10.140.0.0/16', '10.240.0.0/20'),
];

describe('CIDR arithmetic', () => {
  it('parses network addresses and refuses hosts, IPv6 and junk with the reason', () => {
    expect(parseCidr('10.0.0.0/16')).toMatchObject({ first: 167772160, last: 167837695, prefix: 16 });
    expect(() => parseCidr('10.0.0.1/16')).toThrow(/not a network address \(did you mean 10.0.0.0\/16\?\)/);
    expect(() => parseCidr('fd00::/8')).toThrow(/only IPv4/);
    expect(() => parseCidr('10.0.0.0')).toThrow(/not a CIDR/);
  });

  it('finds overlaps by containment and partial sharing, not adjacency', () => {
    expect(overlaps(parseCidr('10.0.0.0/8'), parseCidr('10.5.0.0/16'))).toBe(true);
    expect(overlaps(parseCidr('10.0.0.0/16'), parseCidr('10.1.0.0/16'))).toBe(false);
  });

  it('allocates blocks clear of what is in use, and says when the pool is full', () => {
    const blocks = allocateBlocks(parseCidr('242.0.0.0/14'), 16, 3, [parseCidr('242.1.0.0/16')]);
    expect(blocks.map((b) => b.cidr)).toEqual(['242.0.0.0/16', '242.2.0.0/16', '242.3.0.0/16']);
    expect(() => allocateBlocks(parseCidr('242.0.0.0/15'), 16, 3, [])).toThrow(/room for only 2 of 3/);
  });
});

describe('planPeering', () => {
  it('links a small fleet as a full mesh: native peering within a cloud, IPsec across clouds and to on-prem', () => {
    const plan = planPeering({ clusters: FLEET }, defaultCostModel);
    expect(plan.topology).toBe('full-mesh');
    expect(plan.links).toHaveLength(10);
    const kind = (a: string, b: string) => plan.links.find((l) => l.a === a && l.b === b)?.kind;
    expect(kind('aws-eu-west-1', 'aws-us-east-1')).toBe('aws-vpc-peering');
    expect(kind('aws-eu-west-1', 'gcp-europe-west1')).toBe('ipsec-vpn');
    expect(kind('aws-us-east-1', 'onprem-dc1')).toBe('ipsec-vpn');
    expect(plan.links.find((l) => l.a === 'aws-us-east-1' && l.b === 'onprem-dc1')?.why).toMatch(/on-prem/);
    expect(plan.overlaps).toEqual([]);
    expect(plan.globalAddresses).toEqual({});
  });

  it('prices VPN links and gateways, and traffic at the cost model’s egress prices', () => {
    const plan = planPeering(
      {
        clusters: FLEET,
        pairs: [['aws-us-east-1', 'gcp-europe-west1']],
        traffic: [{ from: 'aws-us-east-1', to: 'gcp-europe-west1', gibPerMonth: 1000 }],
      },
      defaultCostModel,
    );
    const [link] = plan.links;
    // Google's four-tunnel topology: two AWS connections $73 + GCP HA VPN 4 tunnels $146;
    // 1,000 GiB at AWS internet egress $0.09.
    expect(link!.cost.fixedPerMonth).toBe(219);
    expect(link!.cost.trafficPerMonth).toBe(90);
    expect(plan.monthlyCost).toEqual({ fixed: 219, traffic: 90, total: 309 });
  });

  it('charges an Azure VPN gateway once per cluster however many tunnels it serves', () => {
    const plan = planPeering({ clusters: FLEET }, defaultCostModel);
    expect(plan.clusterCosts).toEqual([
      { cluster: 'azure-westeurope', what: 'Azure VPN Gateway VpnGw1', usdPerMonth: 138.7 },
    ]);
  });

  it('gives clashing clusters global ranges and routes them through the gateways only', () => {
    const clash = [
      ...FLEET,
      cluster('gcp-us-central1', 'gcp', 'us-central1', '10.30.128.0/17', '10.131.0.0/16', '10.231.0.0/20'),
    ];
    const plan = planPeering({ clusters: clash }, defaultCostModel);
    expect(plan.overlaps).toEqual([
      {
        a: { cluster: 'gcp-europe-west1', role: 'node', cidr: '10.30.0.0/16' },
        b: { cluster: 'gcp-us-central1', role: 'node', cidr: '10.30.128.0/17' },
      },
    ]);
    expect(plan.globalAddresses).toEqual({
      'gcp-europe-west1': '242.0.0.0/16',
      'gcp-us-central1': '242.1.0.0/16',
    });
    const link = plan.links.find((l) => l.a === 'gcp-europe-west1' && l.b === 'gcp-us-central1')!;
    expect(link.kind).toBe('gateway-only');
    expect(link.routes).toEqual({ aToB: [], bToA: [] });
    expect(() => planPeering({ clusters: clash, overlapMode: 'refuse' }, defaultCostModel)).toThrow(
      'address ranges clash: gcp-europe-west1 node 10.30.0.0/16 ↔ gcp-us-central1 node 10.30.128.0/17',
    );
  });

  it('refuses bad input naming the field, and changes nothing', () => {
    expect(() => planPeering({ clusters: [...FLEET, FLEET[0]!] }, defaultCostModel)).toThrow(
      'clusters[5].name: "onprem-dc1" appears twice',
    );
    expect(() =>
      planPeering({ clusters: FLEET, pairs: [['aws-us-east-1', 'nope']] }, defaultCostModel),
    ).toThrow('pairs[0]: no cluster named "nope"');
    expect(() =>
      planPeering(
        { clusters: FLEET, traffic: [{ from: 'onprem-dc1', to: 'aws-us-east-1', gibPerMonth: -1 }] },
        defaultCostModel,
      ),
    ).toThrow(PeeringPlanError);
    expect(() =>
      planPeering(
        { clusters: [cluster('x', 'aws', 'us-east-1', '10.0.0.1/16', '10.1.0.0/16', '10.2.0.0/16')] },
        defaultCostModel,
      ),
    ).toThrow(/not a network address/);
  });

  it('goes hub-and-spoke past the mesh size when that is cheaper, and says why', () => {
    const many = Array.from({ length: 10 }, (_, i) =>
      cluster(
        `c${i}`,
        i % 2 === 0 ? 'aws' : 'gcp',
        i % 2 === 0 ? 'us-east-1' : 'us-central1',
        `10.${i}.0.0/16`,
        `10.${100 + i}.0.0/16`,
        `10.${200 + i}.0.0/20`,
      ),
    );
    const plan = planPeering({ clusters: many }, defaultCostModel);
    expect(plan.topology).toBe('hub-and-spoke');
    expect(plan.links).toHaveLength(9);
    expect(plan.alternative?.topology).toBe('full-mesh');
    expect(plan.alternative!.total).toBeGreaterThan(plan.monthlyCost.total);
    expect(plan.why).toMatch(/hub-and-spoke through c\d/);
    const small = planPeering({ clusters: many, meshMaxClusters: 20 }, defaultCostModel);
    expect(small.topology).toBe('full-mesh');
    expect(small.links).toHaveLength(45);
  });
});

describe('planPeering properties', () => {
  const providers = ['aws', 'gcp', 'azure', 'onprem'] as const;
  const regions = {
    aws: 'us-east-1',
    gcp: 'europe-west1',
    azure: 'westeurope',
    onprem: 'onprem-fra',
  } as const;
  /** A random fleet: distinct names, /16 ranges drawn from a small space so clashes happen. */
  const fleetArb = fc
    .array(
      fc.tuple(
        fc.constantFrom(...providers),
        fc.integer({ min: 0, max: 40 }),
        fc.integer({ min: 0, max: 40 }),
      ),
      {
        minLength: 2,
        maxLength: 12,
      },
    )
    .map((rows) =>
      rows.map(([p, n, pod], i) =>
        cluster(
          `c${String(i).padStart(2, '0')}`,
          p,
          regions[p],
          `10.${n}.0.0/16`,
          `10.${100 + pod}.0.0/16`,
          `172.${16 + (i % 16)}.${i * 16}.0/20`,
        ),
      ),
    );

  it('every required pair has a path of planned links, and no global range is used twice or clashes', () => {
    fc.assert(
      fc.property(fleetArb, fc.integer({ min: 2, max: 8 }), (clusters, meshMax) => {
        const plan = planPeering({ clusters, meshMaxClusters: meshMax }, defaultCostModel);
        const linked = new Set(plan.links.map((l) => `${l.a}|${l.b}`));
        for (let i = 0; i < clusters.length; i++)
          for (let j = i + 1; j < clusters.length; j++) {
            const path = plan.paths.find((p) => p.a === clusters[i]!.name && p.b === clusters[j]!.name);
            expect(path).toBeDefined();
            for (let k = 0; k + 1 < path!.via.length; k++) {
              const [x, y] = [path!.via[k]!, path!.via[k + 1]!].sort();
              expect(linked.has(`${x}|${y}`)).toBe(true);
            }
          }
        const globals = Object.values(plan.globalAddresses).map(parseCidr);
        const used = clusters
          .flatMap((c) => [...c.nodeCidrs, ...c.podCidrs, ...c.serviceCidrs])
          .map(parseCidr);
        for (let i = 0; i < globals.length; i++) {
          for (const u of used) expect(overlaps(globals[i]!, u)).toBe(false);
          for (let j = i + 1; j < globals.length; j++) expect(overlaps(globals[i]!, globals[j]!)).toBe(false);
        }
        // No link routes a range into a cluster whose own ranges clash with it.
        for (const l of plan.links) {
          const a = clusters.find((c) => c.name === l.a)!;
          for (const r of l.routes.aToB)
            for (const own of [...a.nodeCidrs, ...a.podCidrs])
              expect(overlaps(parseCidr(r), parseCidr(own))).toBe(false);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('is deterministic: the same fleet in any order gives the same plan', () => {
    fc.assert(
      fc.property(fleetArb, fc.integer(), (clusters, seed) => {
        const shuffled = [...clusters].sort(
          (x, y) => ((x.name.charCodeAt(2) * seed) % 7) - ((y.name.charCodeAt(2) * seed) % 7),
        );
        expect(planPeering({ clusters: shuffled, meshMaxClusters: 4 }, defaultCostModel)).toEqual(
          planPeering({ clusters, meshMaxClusters: 4 }, defaultCostModel),
        );
      }),
      { numRuns: 100 },
    );
  });

  it('findOverlaps agrees with checking every pair', () => {
    fc.assert(
      fc.property(fleetArb, (clusters) => {
        const all = clusters.flatMap((c) =>
          (['node', 'pod', 'service'] as const).flatMap((role) =>
            c[`${role}Cidrs`].map((cidr) => ({ cluster: c.name, role, cidr })),
          ),
        );
        let expected = 0;
        for (let i = 0; i < all.length; i++)
          for (let j = i + 1; j < all.length; j++)
            if (overlaps(parseCidr(all[i]!.cidr), parseCidr(all[j]!.cidr))) expected++;
        expect(findOverlaps(clusters)).toHaveLength(expected);
      }),
      { numRuns: 200 },
    );
  });
});
