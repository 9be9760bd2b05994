/**
 * Explicit static weights are the desired state: a placement made while a weighted cluster was
 * missing or NotReady goes back to the declared split once the cluster is feasible again, and a
 * weight change is applied, whatever stability.minScoreGain says. Failover still takes the replicas
 * of a NotReady cluster away after its toleration, gives them back when it returns, and a blip
 * shorter than the toleration moves nothing. Everything else keeps the stability rule: cost and
 * latency scoring, AvailableCapacity and CostOptimized division, Duplicated selection, equal weights
 * without a staticWeights list, and static weights whose clusters a maxGroups lets the scores choose.
 */
import { describe, expect, it } from 'vitest';
import {
  type ClusterSnapshot,
  NOT_READY_TAINT,
  type PlacementPolicySpecInput,
  type PreviousPlacement,
  type ScheduleResult,
  schedule,
} from '../../../placement/index.js';
import { cluster, NOW, policy, template } from '../helpers.js';
import { scheduled, split } from './support.js';

const at = (ms: number) => new Date(ms).toISOString();

/** NotReady since `since`, carrying the health reconciler's NoExecute taint. */
function notReady(c: ClusterSnapshot, since: number): ClusterSnapshot {
  return {
    ...c,
    ready: false,
    taints: [{ key: NOT_READY_TAINT, effect: 'NoExecute', timeAdded: at(since) }],
  };
}

const a = cluster('a', { provider: 'aws', region: 'eu-central-1' });
const b = cluster('b', { provider: 'gcp', region: 'europe-west3' });
const c = cluster('c', { provider: 'azure', region: 'germanywestcentral' });

const oneOneOne: Partial<PlacementPolicySpecInput> = {
  replicaScheduling: {
    type: 'Divided',
    division: 'StaticWeights',
    staticWeights: [
      { targetCluster: { clusterNames: ['a'] }, weight: 1 },
      { targetCluster: { clusterNames: ['b'] }, weight: 1 },
      { targetCluster: { clusterNames: ['c'] }, weight: 1 },
    ],
  },
};

function run(
  fleet: ClusterSnapshot[],
  input: Partial<PlacementPolicySpecInput>,
  opts: { replicas?: number; previous?: ScheduleResult | PreviousPlacement; now?: number } = {},
) {
  const prev = opts.previous;
  const previous: PreviousPlacement | undefined =
    prev === undefined
      ? undefined
      : 'status' in prev
        ? { policy: 'p', clusters: scheduled(prev).clusters }
        : prev;
  return scheduled(
    schedule({
      template: template({ replicas: opts.replicas ?? 6 }),
      policies: [policy('p', input)],
      fleet,
      now: opts.now ?? NOW,
      ...(previous !== undefined ? { previous } : {}),
    }),
  );
}

describe('explicit static weights are restored when a weighted cluster becomes feasible again', () => {
  it('1:1:1, 6 replicas: 3/3 while c is NotReady, 2/2/2 once it is Ready, and the explanation says why', () => {
    const first = run([a, b, notReady(c, NOW - 60_000)], oneOneOne);
    expect(split(first)).toEqual({ a: 3, b: 3 });

    const back = run([a, b, c], oneOneOne, { previous: first });
    expect(split(back)).toEqual({ a: 2, b: 2, c: 2 });
    expect(back.evictions).toEqual([]);
    expect(back.explanation.stability).toEqual({
      decision: 'Moved',
      reason:
        'static weights: the declared split, now also on c, replaces the previous one (further from the weights)',
    });
    // Settled: the next pass keeps it.
    const again = run([a, b, c], oneOneOne, { previous: back });
    expect(split(again)).toEqual({ a: 2, b: 2, c: 2 });
    expect(again.explanation.stability?.decision).toBe('Kept');
  });

  it('also when the weighted cluster joins the fleet for the first time, and whatever minScoreGain says', () => {
    const strict = { ...oneOneOne, stability: { minScoreGain: 100 } };
    const first = run([a, b], strict);
    const joined = run([a, b, c], strict, { previous: first });
    expect(split(joined)).toEqual({ a: 2, b: 2, c: 2 });
    expect(joined.explanation.stability?.decision).toBe('Moved');
  });

  it('as close as capacity allows: a returning cluster with room for one replica gets one', () => {
    const small = { ...c, allocatable: { cpuMilli: 4000, memoryBytes: 2 ** 33, pods: 10 } };
    const room1 = { ...small, available: { cpuMilli: 1000, memoryBytes: 2 ** 33, pods: 10 } };
    const oneCpu = (fleet: ClusterSnapshot[], previous?: ScheduleResult) =>
      scheduled(
        schedule({
          template: template({ replicas: 6, podRequests: { cpuMilli: 1000, memoryBytes: 0 } }),
          policies: [policy('p', oneOneOne)],
          fleet,
          now: NOW,
          ...(previous !== undefined
            ? { previous: { policy: 'p', clusters: scheduled(previous).clusters } }
            : {}),
        }),
      );
    const first = oneCpu([a, b, notReady(room1, NOW)]);
    const back = oneCpu([a, b, room1], first);
    // c takes what it has room for; a and b share the rest as evenly as Webster can (the odd
    // replica goes to the better-scored of the two).
    const s = split(back);
    expect(s.c).toBe(1);
    expect([s.a, s.b].sort()).toEqual([2, 3]);
    expect(back.explanation.stability?.decision).toBe('Moved');
  });

  it('a changed weight is applied to a running placement', () => {
    const first = run([a, b, c], oneOneOne);
    expect(split(first)).toEqual({ a: 2, b: 2, c: 2 });
    const heavier: Partial<PlacementPolicySpecInput> = {
      replicaScheduling: {
        type: 'Divided',
        division: 'StaticWeights',
        staticWeights: [
          { targetCluster: { clusterNames: ['a'] }, weight: 4 },
          { targetCluster: { clusterNames: ['b', 'c'] }, weight: 1 },
        ],
      },
    };
    const r = run([a, b, c], heavier, { previous: first });
    expect(split(r)).toEqual({ a: 4, b: 1, c: 1 });
    expect(r.explanation.stability).toMatchObject({ decision: 'Moved' });
    expect(r.explanation.stability?.reason).toMatch(/^static weights: the declared split replaces/);
    // A weight that drops a cluster evicts it, saying why.
    const onlyA: Partial<PlacementPolicySpecInput> = {
      replicaScheduling: {
        type: 'Divided',
        division: 'StaticWeights',
        staticWeights: [
          { targetCluster: { clusterNames: ['a'] }, weight: 100 },
          { targetCluster: { clusterNames: ['b', 'c'] }, weight: 1 },
        ],
      },
    };
    const moved = run([a, b, c], onlyA, { previous: first });
    expect(split(moved)).toEqual({ a: 6 });
    expect(moved.evictions.map((e) => [e.cluster, e.reason])).toEqual([
      ['b', 'moved: static weights: the declared split replaces the previous one (further from the weights)'],
      ['c', 'moved: static weights: the declared split replaces the previous one (further from the weights)'],
    ]);
  });

  it('a rounding tie is not a reason to move: 4 over 1:1:1 stays with whichever cluster runs the second replica', () => {
    const fresh = split(run([a, b, c], oneOneOne, { replicas: 4 }));
    const double = Object.keys(fresh).find((name) => fresh[name] === 2)!;
    // The same split, with the second replica on another cluster: as close to 1:1:1.
    const other = ['a', 'b', 'c'].find((name) => name !== double)!;
    const tie: PreviousPlacement = {
      policy: 'p',
      clusters: ['a', 'b', 'c'].map((name) => ({ name, replicas: name === other ? 2 : 1 })),
    };
    const r = run([a, b, c], oneOneOne, { replicas: 4, previous: tie });
    expect(r.clusters).toEqual(tie.clusters);
    expect(r.explanation.stability?.decision).toBe('Kept');
  });
});

describe('failover of a weighted cluster: away after the toleration, back when Ready, no flapping', () => {
  const since = NOW;
  const failing = [a, b, notReady(c, since)];
  const placed: PreviousPlacement = {
    policy: 'p',
    clusters: [
      { name: 'a', replicas: 2 },
      { name: 'b', replicas: 2 },
      { name: 'c', replicas: 2 },
    ],
  };

  it('within failover.tolerationSeconds nothing moves; after it, c loses its replicas; Ready again, it gets them back', () => {
    const early = run(failing, oneOneOne, { previous: placed, now: since + 30_000 });
    expect(split(early)).toEqual({ a: 2, b: 2, c: 2 });
    expect(early.explanation.stability?.decision).toBe('Kept');
    expect(early.requeueAt).toBe(since + 60_000);

    const evicted = run(failing, oneOneOne, { previous: early, now: since + 60_000 });
    expect(split(evicted)).toEqual({ a: 3, b: 3 });
    expect(evicted.evictions).toEqual([
      expect.objectContaining({
        cluster: 'c',
        reason: `TaintToleration: taint ${NOT_READY_TAINT}:NoExecute toleration expired: evicted`,
      }),
    ]);
    // While c stays NotReady, every further pass keeps 3/3: no new copy on a NotReady cluster.
    for (const later of [since + 61_000, since + 3_600_000]) {
      const r = run(failing, oneOneOne, { previous: evicted, now: later });
      expect(split(r)).toEqual({ a: 3, b: 3 });
      expect(r.explanation.stability?.decision).toBe('Kept');
      expect(r.evictions).toEqual([]);
    }

    const back = run([a, b, c], oneOneOne, { previous: evicted, now: since + 120_000 });
    expect(split(back)).toEqual({ a: 2, b: 2, c: 2 });
    expect(back.evictions).toEqual([]);
    expect(back.explanation.stability?.reason).toContain('now also on c');
  });

  it('a blip shorter than the toleration moves nothing, before or after', () => {
    const during = run(failing, oneOneOne, { previous: placed, now: since + 10_000 });
    const after = run([a, b, c], oneOneOne, { previous: during, now: since + 20_000 });
    for (const r of [during, after]) {
      expect(split(r)).toEqual({ a: 2, b: 2, c: 2 });
      expect(r.evictions).toEqual([]);
      expect(r.explanation.stability?.decision).toBe('Kept');
    }
  });

  it('an untimed toleration of the not-ready taint keeps the declared split through the outage', () => {
    const never = {
      ...oneOneOne,
      tolerations: [{ key: NOT_READY_TAINT, operator: 'Exists' as const, effect: 'NoExecute' as const }],
    };
    const r = run(failing, never, { previous: placed, now: since + 3_600_000 });
    expect(split(r)).toEqual({ a: 2, b: 2, c: 2 });
    expect(r.requeueAt).toBeUndefined();
  });
});

describe('stability still holds where the split is not declared', () => {
  it('equal weights without a staticWeights list: a joining cluster moves nothing', () => {
    const equal = { replicaScheduling: { type: 'Divided' as const } };
    const first = run([a, b], equal);
    const r = run([a, b, c], equal, { previous: first });
    expect(split(r)).toEqual({ a: 3, b: 3 });
    expect(r.explanation.stability?.decision).toBe('Kept');
  });

  it('static weights with a maxGroups: the scores choose the clusters, so minScoreGain decides', () => {
    const capped = { ...oneOneOne, spreadConstraints: [{ spreadByField: 'cluster' as const, maxGroups: 3 }] };
    const first = run([a, b, notReady(c, NOW - 60_000)], capped);
    const r = run([a, b, c], capped, { previous: first });
    expect(split(r)).toEqual({ a: 3, b: 3 });
    expect(r.explanation.stability?.reason).toMatch(/^gain [\d.]+ < minScoreGain 10: not moving$/);
  });

  it('AvailableCapacity and CostOptimized: a returning cluster moves nothing below minScoreGain', () => {
    for (const division of ['AvailableCapacity', 'CostOptimized'] as const) {
      const input = { replicaScheduling: { type: 'Divided' as const, division } };
      const first = run([a, b, notReady(c, NOW - 60_000)], input);
      const r = run([a, b, c], input, { previous: first });
      expect(split(r)).toEqual(split(first));
      expect(r.evictions).toEqual([]);
    }
  });

  describe('cost scoring under static weights: only rounding ties are left to it, behind minScoreGain', () => {
    // 3 over 1:1: the odd replica goes to the better-scored (cheaper) cluster.
    const pair: Partial<PlacementPolicySpecInput> = {
      replicaScheduling: {
        type: 'Divided',
        division: 'StaticWeights',
        staticWeights: [{ targetCluster: { clusterNames: ['cheap', 'dear'] }, weight: 1 }],
      },
      objectives: { cost: 100 },
    };
    const priced = (name: string, vcpuHour: number) =>
      cluster(name, {
        provider: 'aws',
        region: 'eu-central-1',
        costOverrides: { compute: { vcpuHour, gibHour: 0.005 } },
      });
    const before = [priced('cheap', 0.04), priced('dear', 0.041)];
    // Prices turn: 'dear' is now a little cheaper, then much cheaper.
    const slightly = [priced('cheap', 0.041), priced('dear', 0.04)];
    const much = [priced('cheap', 0.041), priced('dear', 0.01)];

    it('a slightly better-scored cluster does not take the odd replica (gain < minScoreGain)', () => {
      const first = run(before, pair, { replicas: 3 });
      expect(split(first)).toEqual({ cheap: 2, dear: 1 });
      const r = run(slightly, pair, { replicas: 3, previous: first });
      expect(split(r)).toEqual({ cheap: 2, dear: 1 });
      expect(r.explanation.stability?.decision).toBe('Kept');
      expect(r.explanation.stability?.reason).toMatch(/^gain [\d.]+ < minScoreGain 10: not moving$/);
    });

    it('a much better one does, reported as a gain at or above minScoreGain', () => {
      const first = run(before, pair, { replicas: 3 });
      const r = run(much, pair, { replicas: 3, previous: first });
      expect(split(r)).toEqual({ cheap: 1, dear: 2 });
      expect(r.explanation.stability?.decision).toBe('Moved');
      expect(r.explanation.stability?.reason).toMatch(/^gain [\d.]+ >= minScoreGain 10$/);
    });
  });
});
