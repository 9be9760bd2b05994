import { describe, expect, it } from 'vitest';
import { withReadiness } from '../../../federation/reconcile/cluster-workload-watch.js';
import type { BindingClusterStatus } from '../../../federation/resources/binding.js';

const applied: BindingClusterStatus = {
  cluster: 'c1',
  phase: 'Applied',
  appliedGeneration: 3,
  replicas: 3,
  readyReplicas: 3,
  appliedHash: 'abc',
  drift: { paths: ['/spec/replicas'], detectedAt: '2026-01-01T00:00:00Z', mode: 'Restore', restored: true },
  lastUpdateTime: '2026-01-01T00:00:00Z',
};
const object = (status: Record<string, number> | undefined) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'shop', generation: 4 },
  ...(status ? { status } : {}),
});
const now = Date.parse('2026-02-02T00:00:00Z');

describe('withReadiness (a watched object into its binding cluster status)', () => {
  it('takes the ready replicas the object reports and keeps everything the pass and drift scan own', () => {
    expect(withReadiness(applied, object({ replicas: 3, readyReplicas: 1 }), now)).toEqual({
      ...applied,
      readyReplicas: 1,
      // Short of its replicas from now on: the clock the placement controller's descheduling reads.
      unreadySince: '2026-02-02T00:00:00.000Z',
      lastUpdateTime: '2026-02-02T00:00:00.000Z',
    });
    // Still short later: the clock keeps its start; all ready again: it goes.
    const short = withReadiness(applied, object({ replicas: 3, readyReplicas: 1 }), now)!;
    expect(withReadiness(short, object({ replicas: 3, readyReplicas: 2 }), now + 5_000)?.unreadySince).toBe(
      '2026-02-02T00:00:00.000Z',
    );
    expect(withReadiness(short, object({ replicas: 3, readyReplicas: 3 }), now + 5_000)).not.toHaveProperty(
      'unreadySince',
    );
  });

  it('counts no ready replicas when the status has replicas but no readyReplicas', () => {
    expect(withReadiness(applied, object({ replicas: 3 }), now)?.readyReplicas).toBe(0);
  });

  it('writes nothing when the ready replicas did not change', () => {
    expect(withReadiness(applied, object({ replicas: 3, readyReplicas: 3 }), now)).toBeUndefined();
  });

  it('leaves alone a status the propagation pass has not recorded as Applied with replicas', () => {
    const o = object({ replicas: 3, readyReplicas: 2 });
    expect(withReadiness(undefined, o, now)).toBeUndefined();
    expect(withReadiness({ ...applied, phase: 'Pending' }, o, now)).toBeUndefined();
    expect(withReadiness({ ...applied, phase: 'Failed' }, o, now)).toBeUndefined();
    const { replicas: _r, readyReplicas: _rr, ...noReplicas } = applied;
    expect(withReadiness(noReplicas, o, now)).toBeUndefined();
  });
});
