import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ControllerContext } from '../../../federation/controller/context.js';
import { expandPolicy, POLICY_LABEL } from '../../../federation/controllers/peering/policy.js';
import {
  FEDGATE_API_VERSION,
  MEMBER_CLUSTER_TYPE,
  PEERING_POLICY_TYPE,
  PEERING_TYPE,
} from '../../../federation/resources/kinds.js';
import { ResourceStore } from '../../../federation/store/resource-store.js';
import { type TestRedis, testRedis } from '../../support/redis.js';

const CLUSTERS = [
  { name: 'aws-eu', provider: 'aws', region: 'eu-west-1', cidr: '10.1.0.0/16' },
  { name: 'gcp-eu', provider: 'gcp', region: 'europe-west1', cidr: '10.2.0.0/16' },
  { name: 'az-eu', provider: 'azure', region: 'westeurope', cidr: '10.3.0.0/16' },
  { name: 'aws-us', provider: 'aws', region: 'us-east-1', cidr: '10.4.0.0/16' },
  { name: 'gcp-us', provider: 'gcp', region: 'us-central1', cidr: '10.5.0.0/16' },
] as const;

/** A PeeringPolicy going from mesh to hub-and-spoke, through the real store: make-before-break. */
describe('PeeringPolicy switch-over from mesh to hub-and-spoke', () => {
  let redis: TestRedis;
  let store: ResourceStore;
  let ctx: ControllerContext;
  const peerings = async () =>
    (await store.list(PEERING_TYPE, { labelSelector: `${POLICY_LABEL}=fleet` })).items;
  const setReady = async (name: string, ready: boolean) => {
    const key = { type: PEERING_TYPE, namespace: '', name };
    await store.updateStatus(key, {
      phase: ready ? 'Ready' : 'Provisioning',
      conditions: [
        {
          type: 'Ready',
          status: ready ? 'True' : 'False',
          reason: 'Test',
          message: '',
          lastTransitionTime: new Date().toISOString(),
        },
      ],
    });
  };
  const policy = (meshMaxClusters: number) =>
    store.apply(
      { type: PEERING_POLICY_TYPE, namespace: '', name: 'fleet' },
      {
        apiVersion: FEDGATE_API_VERSION,
        kind: 'PeeringPolicy',
        metadata: { name: 'fleet' },
        spec: {
          meshMaxClusters,
          expectedTraffic: CLUSTERS.flatMap((a) =>
            CLUSTERS.filter((b) => b !== a).map((b) => ({ from: a.name, to: b.name, gibPerMonth: 10 })),
          ),
        },
      },
    );

  beforeAll(async () => {
    redis = testRedis();
    store = new ResourceStore(redis.connect(), { prefix: redis.prefix });
    ctx = { store, clock: { now: () => Date.now() } } as unknown as ControllerContext;
    for (const c of CLUSTERS)
      await store.apply(
        { type: MEMBER_CLUSTER_TYPE, namespace: '', name: c.name },
        {
          apiVersion: FEDGATE_API_VERSION,
          kind: 'MemberCluster',
          metadata: { name: c.name },
          spec: {
            provider: c.provider,
            region: c.region,
            connection: { server: 'https://127.0.0.1:1' },
            network: { nodeCidrs: [c.cidr], podCidrs: [], serviceCidrs: [] },
          },
        },
      );
  });
  afterAll(() => redis?.close());

  it('deletes spoke↔spoke links only once the new paths of their clusters through the hub are Ready', async () => {
    await policy(10);
    expect((await expandPolicy('fleet', ctx)).outcome).toBe('Planned');
    const mesh = (await peerings()).map((p) => p.metadata.name);
    expect(mesh).toHaveLength(10);
    for (const name of mesh) await setReady(name, true);

    await policy(2);
    const first = await expandPolicy('fleet', ctx);
    const status = (await store.get({ type: PEERING_POLICY_TYPE, namespace: '', name: 'fleet' }))!.status as {
      topology: string;
      hub?: string;
    };
    expect(status.topology).toBe('hub-and-spoke');
    const hub = status.hub!;
    const hubLinks = mesh.filter((n) => n.split('--').includes(hub));
    const spokeLinks = mesh.filter((n) => !n.split('--').includes(hub));
    // Every hub link already existed and is Ready: the spoke links go at once.
    expect(first.outcome).toBe('Planned');
    expect((await peerings()).map((p) => p.metadata.name).sort()).toEqual([...hubLinks].sort());

    // Back to a mesh: the spoke links are made again, and the switch back to the hub waits for
    // one hub link that went down.
    await policy(10);
    await expandPolicy('fleet', ctx);
    for (const name of spokeLinks) await setReady(name, true);
    const down = hubLinks[0]!;
    const cut = down.split('--').find((c) => c !== hub)!;
    await setReady(down, false);
    await policy(2);
    const waiting = await expandPolicy('fleet', ctx);
    expect(waiting.outcome).toBe('SwitchingOver');
    expect(waiting.recheckAfterMs).toBeGreaterThan(0);
    const kept = (await peerings()).map((p) => p.metadata.name);
    for (const s of spokeLinks) expect(kept.includes(s), s).toBe(s.split('--').includes(cut));
    const p = (await store.get({ type: PEERING_POLICY_TYPE, namespace: '', name: 'fleet' }))!.status as {
      conditions: { type: string; reason: string; message: string }[];
    };
    const ready = p.conditions.find((c) => c.type === 'Ready')!;
    expect(ready.reason).toBe('SwitchingOver');
    expect(ready.message).toContain(`waits for ${down}`);

    await setReady(down, true);
    expect((await expandPolicy('fleet', ctx)).outcome).toBe('Planned');
    expect((await peerings()).map((x) => x.metadata.name).sort()).toEqual([...hubLinks].sort());
  });
});
