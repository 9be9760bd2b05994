/**
 * Taints and tolerations (NoSchedule, NoExecute with tolerationSeconds) and failover of a
 * NotReady cluster: what is refused, what is kept and until when (requeueAt), how copies go.
 */
import { describe, expect, it } from 'vitest';
import {
  type ClusterSnapshot,
  explainCluster,
  NOT_READY_TAINT,
  type PlacementPolicySpecInput,
  type PreviousPlacement,
  schedule,
  type Taint,
} from '../../../placement/index.js';
import { cluster, NOW, policy, template } from '../helpers.js';
import { names, scheduled } from './support.js';

const MIN = 60_000;
const at = (ms: number) => new Date(ms).toISOString();

function run(
  fleet: ClusterSnapshot[],
  input: Partial<PlacementPolicySpecInput> = {},
  opts: { previous?: PreviousPlacement; now?: number; replicas?: number } = {},
) {
  return schedule({
    template: template({ replicas: opts.replicas ?? 2 }),
    policies: [policy('p', input)],
    fleet,
    now: opts.now ?? NOW,
    ...(opts.previous !== undefined ? { previous: opts.previous } : {}),
  });
}

describe('NoSchedule', () => {
  const gpu: Taint = { key: 'gpu', value: 'true', effect: 'NoSchedule' };
  const fleet = [cluster('gpu-1', { taints: [gpu] }), cluster('plain')];

  it('only a matching toleration admits the cluster (key, value, effect)', () => {
    expect(names(run(fleet))).toEqual(['plain']);
    const tol = (t: NonNullable<PlacementPolicySpecInput['tolerations']>[number]) =>
      names(run(fleet, { tolerations: [t] }));
    expect(tol({ key: 'gpu', operator: 'Equal', value: 'true' })).toEqual(['gpu-1', 'plain']);
    expect(tol({ key: 'gpu', operator: 'Exists', effect: 'NoSchedule' })).toEqual(['gpu-1', 'plain']);
    expect(tol({ operator: 'Exists' })).toEqual(['gpu-1', 'plain']);
    expect(tol({ key: 'gpu', operator: 'Equal', value: 'false' })).toEqual(['plain']);
    expect(tol({ key: 'gpu', operator: 'Exists', effect: 'NoExecute' })).toEqual(['plain']);
    const r = run(fleet, { tolerations: [{ key: 'gpu', operator: 'Equal', value: 'false' }] });
    expect(explainCluster(r.explanation, 'gpu-1')).toMatchObject({
      plugin: 'TaintToleration',
      reason: 'untolerated taint gpu=true:NoSchedule',
    });
  });

  it('never evicts what already runs there', () => {
    const r = scheduled(
      run(fleet, {}, { previous: { policy: 'p', clusters: [{ name: 'gpu-1', replicas: 2 }] } }),
    );
    expect(names(r)).toEqual(['gpu-1', 'plain']);
    expect(r.evictions).toEqual([]);
  });
});

describe('NoExecute with tolerationSeconds', () => {
  const added = NOW - 5 * MIN;
  const drain: Taint = { key: 'maintenance', effect: 'NoExecute', timeAdded: at(added) };
  const fleet = [cluster('a', { taints: [drain] }), cluster('b')];
  const tolerate10min: Partial<PlacementPolicySpecInput> = {
    tolerations: [{ key: 'maintenance', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 600 }],
  };
  const onA: PreviousPlacement = { policy: 'p', clusters: [{ name: 'a', replicas: 2 }] };

  it('an untolerated NoExecute taint refuses the cluster and evicts at once', () => {
    const r = scheduled(run(fleet, {}, { previous: onA }));
    expect(names(r)).toEqual(['b']);
    expect(r.evictions).toEqual([
      expect.objectContaining({
        cluster: 'a',
        reason: 'TaintToleration: untolerated taint maintenance:NoExecute',
      }),
    ]);
    expect(r.requeueAt).toBeUndefined();
  });

  it('a timed toleration never admits a new copy (it would be evicted anyway)', () => {
    const r = scheduled(run(fleet, tolerate10min));
    expect(names(r)).toEqual(['b']);
    expect(explainCluster(r.explanation, 'a')).toMatchObject({
      reason: 'taint maintenance:NoExecute tolerated only temporarily: no new placement',
    });
  });

  it('keeps a running copy until timeAdded + tolerationSeconds and reports when to look again', () => {
    const r = scheduled(run(fleet, tolerate10min, { previous: onA }));
    expect(names(r)).toEqual(['a', 'b']);
    expect(r.evictions).toEqual([]);
    expect(r.requeueAt).toBe(added + 10 * MIN);
    // One second past the deadline the copy goes.
    const later = scheduled(run(fleet, tolerate10min, { previous: onA, now: added + 10 * MIN + 1000 }));
    expect(names(later)).toEqual(['b']);
    expect(later.evictions[0]).toMatchObject({
      cluster: 'a',
      reason: 'TaintToleration: taint maintenance:NoExecute toleration expired: evicted',
    });
    expect(later.requeueAt).toBeUndefined();
  });

  it('a toleration without tolerationSeconds tolerates forever, new copies included', () => {
    const r = scheduled(
      run(
        fleet,
        { tolerations: [{ key: 'maintenance', operator: 'Exists', effect: 'NoExecute' }] },
        { now: NOW + 1e9 },
      ),
    );
    expect(names(r)).toEqual(['a', 'b']);
    expect(r.requeueAt).toBeUndefined();
  });

  // Kubernetes' taint manager (getMinTolerationTime): the shortest timed toleration among the
  // matching ones applies; an untimed one that also matches does not make it forever.
  it('an untimed toleration does not lift a timed one that also matches: the timed one applies', () => {
    const both: Partial<PlacementPolicySpecInput> = {
      tolerations: [
        { key: 'maintenance', operator: 'Exists', effect: 'NoExecute' },
        { key: 'maintenance', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 600 },
      ],
    };
    const kept = scheduled(run(fleet, both, { previous: onA }));
    expect(names(kept)).toEqual(['a', 'b']);
    expect(kept.requeueAt).toBe(added + 10 * MIN);
    const later = scheduled(run(fleet, both, { previous: onA, now: added + 10 * MIN }));
    expect(names(later)).toEqual(['b']);
    expect(later.evictions[0]).toMatchObject({
      cluster: 'a',
      reason: 'TaintToleration: taint maintenance:NoExecute toleration expired: evicted',
    });
    // Timed, so no new copy either.
    const fresh = scheduled(run(fleet, both));
    expect(explainCluster(fresh.explanation, 'a')).toMatchObject({
      reason: 'taint maintenance:NoExecute tolerated only temporarily: no new placement',
    });
  });

  it('the shortest of several timed tolerations applies, whichever order they are written in', () => {
    const tolerations = [
      {
        key: 'maintenance',
        operator: 'Exists' as const,
        effect: 'NoExecute' as const,
        tolerationSeconds: 900,
      },
      { operator: 'Exists' as const, effect: 'NoExecute' as const, tolerationSeconds: 420 },
      { key: 'maintenance', operator: 'Exists' as const },
    ];
    for (const order of [tolerations, [...tolerations].reverse()]) {
      const r = scheduled(run(fleet, { tolerations: order }, { previous: onA }));
      expect(names(r)).toEqual(['a', 'b']);
      expect(r.requeueAt).toBe(added + 7 * MIN);
    }
  });

  it('tolerationSeconds 0 evicts at once, even a taint dated in the future', () => {
    const future: Taint = { ...drain, timeAdded: at(NOW + 10 * MIN) };
    const zero: Partial<PlacementPolicySpecInput> = {
      tolerations: [{ key: 'maintenance', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 0 }],
    };
    const r = scheduled(run([cluster('a', { taints: [future] }), cluster('b')], zero, { previous: onA }));
    expect(names(r)).toEqual(['b']);
    expect(r.evictions[0]).toMatchObject({
      cluster: 'a',
      reason: expect.stringContaining('toleration expired'),
    });
    expect(r.requeueAt).toBeUndefined();
  });
});

describe('failover of a NotReady cluster', () => {
  const since = NOW - 30_000; // within the default 60 s toleration
  const notReady = (name: string): ClusterSnapshot =>
    cluster(name, {
      ready: false,
      taints: [{ key: NOT_READY_TAINT, effect: 'NoExecute', timeAdded: at(since) }],
    });
  const fleet = [notReady('a'), cluster('b'), cluster('c')];
  const prev: PreviousPlacement = {
    policy: 'p',
    clusters: [
      { name: 'a', replicas: 2 },
      { name: 'b', replicas: 2 },
    ],
  };
  const divided: Partial<PlacementPolicySpecInput> = { replicaScheduling: { type: 'Divided' } };

  it('no new placement on a NotReady cluster', () => {
    const r = scheduled(run(fleet));
    expect(names(r)).toEqual(['b', 'c']);
    expect(explainCluster(r.explanation, 'a')).toMatchObject({
      plugin: 'ClusterReady',
      reason: 'cluster is NotReady',
    });
  });

  it('replicas stay for failover.tolerationSeconds (default 60 s), then move; requeueAt says when', () => {
    const early = scheduled(run(fleet, divided, { previous: prev, replicas: 4 }));
    expect(early.clusters).toEqual(prev.clusters);
    expect(early.requeueAt).toBe(since + 60_000);
    const late = scheduled(run(fleet, divided, { previous: prev, replicas: 4, now: since + 60_000 }));
    expect(late.clusters.map((c) => c.name)).not.toContain('a');
    expect(late.clusters.reduce((s, c) => s + (c.replicas ?? 0), 0)).toBe(4);
    // The replicas that stay keep running where they are; only a's move.
    expect(late.clusters.find((c) => c.name === 'b')?.replicas).toBeGreaterThanOrEqual(2);
    expect(late.evictions).toEqual([
      {
        cluster: 'a',
        reason: `TaintToleration: taint ${NOT_READY_TAINT}:NoExecute toleration expired: evicted`,
        purgeMode: 'Graciously',
        gracePeriodSeconds: 600,
      },
    ]);
  });

  // The implicit failover toleration is added only when none of the policy's own tolerations
  // matches the taint; an own one then decides alone (adding the timed implicit one beside an
  // untimed one would cut "never" down to failover.tolerationSeconds).
  describe('a policy that tolerates the not-ready taint itself', () => {
    const longAfter = since + 24 * 60 * MIN;
    const own = (t: NonNullable<PlacementPolicySpecInput['tolerations']>) => ({ ...divided, tolerations: t });

    it('an untimed toleration of it (or of everything) means never fail over', () => {
      for (const t of [
        { key: NOT_READY_TAINT, operator: 'Exists' as const, effect: 'NoExecute' as const },
        { key: NOT_READY_TAINT, operator: 'Exists' as const },
        { operator: 'Exists' as const },
      ]) {
        const r = scheduled(run(fleet, own([t]), { previous: prev, replicas: 4, now: longAfter }));
        expect(r.clusters).toEqual(prev.clusters);
        expect(r.evictions).toEqual([]);
        expect(r.requeueAt).toBeUndefined();
      }
    });

    it('a timed one replaces failover.tolerationSeconds, also beside an untimed wildcard', () => {
      for (const t of [
        [
          {
            key: NOT_READY_TAINT,
            operator: 'Exists' as const,
            effect: 'NoExecute' as const,
            tolerationSeconds: 300,
          },
        ],
        [
          { operator: 'Exists' as const },
          {
            key: NOT_READY_TAINT,
            operator: 'Exists' as const,
            effect: 'NoExecute' as const,
            tolerationSeconds: 300,
          },
        ],
      ]) {
        const r = scheduled(run(fleet, own(t), { previous: prev, replicas: 4, now: since + 2 * MIN }));
        expect(r.clusters).toEqual(prev.clusters);
        expect(r.requeueAt).toBe(since + 5 * MIN);
        const late = scheduled(run(fleet, own(t), { previous: prev, replicas: 4, now: since + 5 * MIN }));
        expect(late.clusters.map((c) => c.name)).not.toContain('a');
      }
    });

    it('a toleration that does not match the taint (other effect, other value) keeps the implicit one', () => {
      for (const t of [
        { key: NOT_READY_TAINT, operator: 'Exists' as const, effect: 'NoSchedule' as const },
        { key: NOT_READY_TAINT, operator: 'Exists' as const, effect: 'PreferNoSchedule' as const },
        { key: NOT_READY_TAINT, operator: 'Equal' as const, value: 'x', effect: 'NoExecute' as const },
      ]) {
        const r = scheduled(run(fleet, own([t]), { previous: prev, replicas: 4 }));
        expect(r.clusters).toEqual(prev.clusters);
        expect(r.requeueAt).toBe(since + 60_000);
      }
    });
  });

  it('failover settings: a shorter toleration, Immediate mode, and purgeMode Never', () => {
    const fast = { ...divided, failover: { tolerationSeconds: 10, mode: 'Immediate' as const } };
    const r = scheduled(run(fleet, fast, { previous: prev, replicas: 4 }));
    expect(r.evictions).toEqual([expect.objectContaining({ cluster: 'a', purgeMode: 'Immediately' })]);
    expect(r.evictions[0]?.gracePeriodSeconds).toBeUndefined();
    const keep = { ...divided, failover: { tolerationSeconds: 0, purgeMode: 'Never' as const } };
    const n = scheduled(run(fleet, keep, { previous: prev, replicas: 4 }));
    expect(n.evictions).toEqual([expect.objectContaining({ cluster: 'a', purgeMode: 'Never' })]);
  });
});
