import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderExplanation } from '../../../federation/cli/output/explain.js';
import { renderSimulation } from '../../../federation/cli/output/simulate.js';
import { CloudAdapters } from '../../../federation/cloud/cloud-adapters.js';
import type { KubeObject } from '../../../federation/resources/kube-object.js';
import { builtinCloudProviders } from '../../../federation/runtime/cloud-providers.js';
import { defaultCostModel } from '../../../placement/index.js';
import { type Ec2Sim, startEc2Sim } from '../../../sim/ec2/index.js';
import { memberCluster, startTestControlPlane, type TestControlPlane } from '../../support/control-plane.js';
import { waitFor } from '../../support/wait-for.js';

const ACCOUNT = {
  accountId: '444455556666',
  accessKeyId: 'AKIAFEDGATEINVCOST01',
  secretAccessKey: 'inventory/cost/secret/0123456789abcdefABC',
};
const MC = 'MemberCluster.v1alpha1.fedgate.dev';

/**
 * Two EKS clusters of the same size: one in us-east-1, the cheapest AWS region, on m6i.2xlarge;
 * one in eu-west-1, a dearer region, on Graviton m6g.xlarge. By region list price the first is
 * cheaper; by what the instances cost, the second. Registration discovers the instances through
 * the AWS SDK against the EC2 simulator, and the cost objective follows the instance mix.
 */
describe('placement priced by cloud inventory, through registration against the EC2 simulator', () => {
  let sim: Ec2Sim;
  let cp: TestControlPlane;

  beforeAll(async () => {
    sim = await startEc2Sim({ accounts: [ACCOUNT], operationMs: 20 });
    const seed = (region: string, cidr: string, clusterName: string, instanceType: string, count: number) => {
      const net = sim.seed.network({
        account: ACCOUNT.accountId,
        region,
        name: `${clusterName}-vpc`,
        cidr: `${cidr}.0.0/16`,
        subnets: [
          { cidr: `${cidr}.1.0/24`, zone: `${region}a` },
          { cidr: `${cidr}.2.0/24`, zone: `${region}b` },
        ],
      });
      sim.seed.cluster({ clusterName, subnetIds: net.subnetIds, instanceType, count });
    };
    seed('us-east-1', '10.31', 'eks-virginia', 'm6i.2xlarge', 2);
    seed('eu-west-1', '10.32', 'eks-ireland', 'm6g.xlarge', 4);
    const nodes = (name: string) => [
      { name: `${name}-1`, cpu: '8', memory: '32Gi', pods: 110 },
      { name: `${name}-2`, cpu: '8', memory: '32Gi', pods: 110 },
    ];
    cp = await startTestControlPlane(
      [
        { name: 'virginia', provider: 'aws', region: 'us-east-1', nodes: nodes('virginia') },
        { name: 'ireland', provider: 'aws', region: 'eu-west-1', nodes: nodes('ireland') },
      ],
      {
        workerProps: {
          cloud: new CloudAdapters({
            registry: builtinCloudProviders(),
            credentials: async () => ({
              provider: 'aws',
              accessKeyId: ACCOUNT.accessKeyId,
              secretAccessKey: ACCOUNT.secretAccessKey,
            }),
            pollIntervalMs: 25,
          }),
        },
      },
    );
  }, 60_000);
  afterAll(async () => {
    await cp?.close();
    await sim?.close();
  });

  it('discovers each cluster’s instance mix, then a cost-driven policy picks the cluster whose instances are cheaper', async () => {
    // The premise: by region list price, us-east-1 is the cheaper of the two.
    const list = (region: string) => defaultCostModel.computePrice({ provider: 'aws', region }).vcpuHour;
    expect(list('us-east-1')).toBeLessThan(list('eu-west-1'));

    // Give both clusters their cloud side: registration runs inventory discovery.
    const withCloud = (name: string, region: string, clusterName: string): KubeObject => {
      const mc = memberCluster(
        { name, provider: 'aws', region },
        (cp.sims.get(name) as { url: string }).url,
      ) as KubeObject & { spec: Record<string, unknown> };
      return {
        ...mc,
        spec: {
          ...mc.spec,
          cloud: {
            account: ACCOUNT.accountId,
            clusterName,
            endpoint: sim.url,
            credentials: { secretRef: { name: 'aws' } },
          },
        },
      };
    };
    const applied = await cp.apply([
      withCloud('virginia', 'us-east-1', 'eks-virginia'),
      withCloud('ireland', 'eu-west-1', 'eks-ireland'),
    ]);
    expect(applied.status).toBe(200);
    const clusters = await waitFor(
      'both inventories discovered and both clusters ready',
      async () => {
        const r = await cp.request('GET', `/api/v1/objects/${MC}`);
        const items = (
          r.body as { items: { metadata: { name: string }; status?: Record<string, unknown> }[] }
        ).items;
        const done = items.filter((mc) => {
          const st = mc.status as { conditions?: { type: string; status: string }[] } | undefined;
          const ok = (type: string) => st?.conditions?.some((c) => c.type === type && c.status === 'True');
          return ok('CloudInventory') && ok('Ready');
        });
        return done.length === 2 ? items : undefined;
      },
      60_000,
    );
    const ireland = clusters.find((c) => c.metadata.name === 'ireland')!.status!.cloud as {
      instances: { zone: string; instanceType: string; count: number; vcpus: number; memoryMiB: number }[];
    };
    expect(ireland.instances).toEqual([
      { zone: 'eu-west-1a', instanceType: 'm6g.xlarge', count: 2, vcpus: 4, memoryMiB: 16384 },
      { zone: 'eu-west-1b', instanceType: 'm6g.xlarge', count: 2, vcpus: 4, memoryMiB: 16384 },
    ]);

    // Now a workload under a cost-driven policy that wants one cluster.
    expect(
      (
        await cp.apply([
          {
            apiVersion: 'fedgate.dev/v1alpha1',
            kind: 'PlacementPolicy',
            metadata: { name: 'cheapest' },
            spec: {
              resourceSelectors: [{ apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop' }],
              spreadConstraints: [{ spreadByField: 'cluster', maxGroups: 1 }],
              objectives: { cost: 10 },
            },
          },
          {
            apiVersion: 'apps/v1',
            kind: 'Deployment',
            metadata: { name: 'web', namespace: 'shop' },
            spec: {
              replicas: 2,
              selector: { matchLabels: { app: 'web' } },
              template: {
                metadata: { labels: { app: 'web' } },
                spec: {
                  containers: [
                    {
                      name: 'web',
                      image: 'nginx',
                      resources: { requests: { cpu: '500m', memory: '512Mi' } },
                    },
                  ],
                },
              },
            },
          },
        ])
      ).status,
    ).toBe(200);

    const binding = await waitFor(
      'the workload placed',
      async () => {
        const r = await cp.request('GET', '/api/v1/explain/Deployment.v1.apps/shop/web');
        const b = r.body as KubeObject & { spec?: { clusters?: { name: string }[] } };
        return r.status === 200 && (b.spec?.clusters?.length ?? 0) > 0 ? b : undefined;
      },
      60_000,
    );
    expect(binding.spec?.clusters?.map((c) => c.name)).toEqual(['ireland']);
    const e = (
      binding as unknown as { status: { explanation: { prices: Record<string, Record<string, unknown>> } } }
    ).status.explanation;
    expect(e.prices.ireland).toMatchObject({ basis: 'inventory', mix: { 'm6g.xlarge': 4 } });
    expect(e.prices.virginia).toMatchObject({ basis: 'inventory', mix: { 'm6i.2xlarge': 2 } });
    expect(e.prices.ireland!.vcpuHour as number).toBeLessThan(e.prices.virginia!.vcpuHour as number);
    const text = renderExplanation(binding);
    expect(text).toMatch(/ireland: instance mix 4× m6g\.xlarge at 0\.\d+× the region list price/);
    expect(text).toContain('price: instance mix');

    // fedgate simulate reads the same inventory and says where the costs come from.
    const sim2 = await cp.request('POST', '/api/v1/simulate', { policies: [] });
    expect(sim2.status).toBe(200);
    const result = sim2.body as Parameters<typeof renderSimulation>[0];
    // The same price as the scheduler's: the instance mix, not the region list price.
    expect(result.templates[0]?.before.costPerMonth).toBe(
      (binding as unknown as { status: { explanation: { costPerMonth: number } } }).status.explanation
        .costPerMonth,
    );
    const out = renderSimulation(result, { all: true });
    expect(out).toMatch(/ireland: instance mix 4× m6g\.xlarge/);
  }, 120_000);
});
