import { afterEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../federation/resources/kube-object.js';
import { compileGatewayConfig } from '../../federation/runtime/gateway-config.js';
import { unreachableClusters } from '../../peering/gateway/reachability.js';
import { waitFor } from '../support/wait-for.js';
import { call, route, startEcho, startFederation, type TestFederation } from './gateway-harness.js';

// B and C equally far from A, so round-robin spreads A's calls over both.
const CLUSTERS = {
  a: { region: 'eu-west-1', provider: 'aws' },
  b: { region: 'us-east1', provider: 'gcp' },
  c: { region: 'westeurope', provider: 'azure' },
};

function peering(name: string, clusters: [string, string], ready: boolean): KubeObject {
  return {
    apiVersion: 'fedgate.dev/v1alpha1',
    kind: 'Peering',
    metadata: { name },
    spec: { clusters, type: 'Auto' },
    status: {
      phase: 'Ready',
      conditions: [
        {
          type: 'Ready',
          status: ready ? 'True' : 'False',
          reason: ready ? 'Ready' : 'LinkDown',
          message: '',
        },
      ],
    },
  } as KubeObject;
}

/** What the control plane compiles from these Peerings (no other objects). */
function compiled(peerings: KubeObject[]) {
  return compileGatewayConfig({
    memberClusters: [],
    serviceExports: [],
    trafficPolicies: [],
    authorizationPolicies: [],
    quotaPolicies: [],
    peerings,
    version: 'x',
  });
}

describe('reachability from the state of the Peerings', () => {
  it('a direct Peering decides; without one a hub path counts; with no Peering path the pair is not governed', () => {
    // Hub-and-spoke: s1 and s2 reach each other only through the hub h.
    expect(
      unreachableClusters(
        ['h', 's1', 's2', 'x'],
        [
          { clusters: ['h', 's1'], up: true },
          { clusters: ['h', 's2'], up: true },
        ],
      ),
    ).toEqual({});
    expect(
      unreachableClusters(
        ['h', 's1', 's2', 'x'],
        [
          { clusters: ['h', 's1'], up: true },
          { clusters: ['h', 's2'], up: false },
        ],
      ),
    ).toEqual({ h: ['s2'], s1: ['s2'], s2: ['h', 's1'] });
    // A direct link that is down is not bypassed through a third cluster (peerings are not transitive).
    expect(
      unreachableClusters(
        ['a', 'b', 'c'],
        [
          { clusters: ['a', 'b'], up: false },
          { clusters: ['a', 'c'], up: true },
          { clusters: ['b', 'c'], up: true },
        ],
      ),
    ).toEqual({ a: ['b'], b: ['a'] });
    // Two Peerings of one pair (a switch-over): one up is enough.
    expect(
      unreachableClusters(
        ['a', 'b'],
        [
          { clusters: ['a', 'b'], up: false },
          { clusters: ['b', 'a'], up: true },
        ],
      ),
    ).toEqual({});
  });

  it('the compiled configuration names what each cluster cannot reach; a Peering still provisioning counts as down', () => {
    const provisioning = peering('a-c', ['a', 'c'], false);
    delete (provisioning.status as { conditions?: unknown }).conditions;
    // b reaches c only through a (the hub), whose link to c is not up.
    expect(compiled([peering('a-b', ['a', 'b'], true), provisioning]).unreachable).toEqual({
      a: ['c'],
      b: ['c'],
      c: ['a', 'b'],
    });
    expect(compiled([peering('a-b', ['a', 'b'], true)]).unreachable).toBeUndefined();
  });
});

let fed: TestFederation | undefined;
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
  await fed?.close();
  fed = undefined;
});

describe('a peering that goes down', () => {
  it('takes its remote cluster out of the gateway’s load balancing, and its recovery puts it back, with no failed call', async () => {
    const base = {
      clusters: CLUSTERS,
      services: {
        'shop/api': route('shop', 'api', ['b', 'c']),
      },
      authorization: [{ name: 'all', service: 'shop/api', from: [], paths: [], methods: [] }],
      quotas: [],
    };
    const withPeerings = (ready: { b: boolean; c: boolean }) => {
      const { unreachable } = compiled([
        peering('a-b', ['a', 'b'], ready.b),
        peering('a-c', ['a', 'c'], ready.c),
      ]);
      return unreachable ? { unreachable } : {};
    };
    fed = await startFederation({ ...base, ...withPeerings({ b: true, c: true }) });
    const eb = await startEcho('b');
    const ec = await startEcho('c');
    closers.push(
      () => eb.close(),
      () => ec.close(),
    );
    await fed.start('b', { localEndpoints: { 'shop/api': [{ url: eb.url }] } });
    await fed.start('c', { localEndpoints: { 'shop/api': [{ url: ec.url }] } });
    const a = await fed.start('a');

    let running = true;
    const log: { at: number; status: number; cluster?: string }[] = [];
    const loops = Array.from({ length: 3 }, async () => {
      while (running) {
        const r = await call(a, 'api.shop.svc.clusterset.local').catch(() => ({ status: 0, body: '' }));
        log.push({
          at: performance.now(),
          status: r.status,
          ...(r.status === 200 ? { cluster: (JSON.parse(r.body) as { cluster: string }).cluster } : {}),
        });
      }
    });
    const servedSince = (t: number) =>
      new Set(log.filter((x) => x.at > t && x.status === 200).map((x) => x.cluster));
    try {
      await waitFor('both clusters serving', () => eb.hits > 5 && ec.hits > 5);

      // The a–c peering goes down: the control plane's next configuration says so.
      let t0 = performance.now();
      fed.source.update(withPeerings({ b: true, c: false }));
      // Within the policy propagation time, calls go to b only.
      const cut = await waitFor(
        'c out of load balancing',
        () => {
          const hitsC = ec.hits;
          return new Promise<number | false>((r) =>
            setTimeout(() => r(ec.hits === hitsC ? performance.now() : false), 300),
          );
        },
        5_000,
        0,
      );
      console.log(`peering down → remote cluster out of load balancing after ≤ ${(cut - t0).toFixed(0)} ms`);
      const quiet = performance.now();
      await waitFor('more calls', () => log.filter((x) => x.at > quiet).length > 20);
      expect(servedSince(quiet)).toEqual(new Set(['b']));

      // It recovers: c is back.
      t0 = performance.now();
      fed.source.update({ unreachable: {} });
      const hitsC = ec.hits;
      await waitFor('c back in load balancing', () => ec.hits > hitsC + 3, 5_000);
      console.log(
        `peering up again → back in load balancing after ${(performance.now() - t0).toFixed(0)} ms`,
      );
      expect(log.filter((x) => x.status !== 200)).toEqual([]);
    } finally {
      running = false;
      await Promise.all(loops);
    }
  }, 30_000);
});
