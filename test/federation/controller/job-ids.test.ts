import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  encodeTriggers,
  jobIds,
  parseJobId,
  parseTriggers,
  type Trigger,
} from '../../../federation/controller/job-ids.js';

const dns = fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,20}[a-z0-9])?$/);
const rv = fc.nat().map(String);
const trigger: fc.Arbitrary<Trigger> = fc.oneof(
  rv.map((resourceVersion) => ({ kind: 'deleted', resourceVersion }) as const),
  rv.map((resourceVersion) => ({ kind: 'policy', resourceVersion }) as const),
  rv.map((resourceVersion) => ({ kind: 'cluster', resourceVersion }) as const),
  fc.record({ cluster: dns, at: fc.nat() }).map((t) => ({ kind: 'readiness', ...t }) as const),
  fc
    .record({ cluster: dns, id: fc.stringMatching(/^[0-9a-f]{8}$/) })
    .map((t) => ({ kind: 'identity', ...t }) as const),
  fc.nat().map((at) => ({ kind: 'resync', at }) as const),
  fc.nat().map((at) => ({ kind: 'requeue', at }) as const),
  rv.map((resourceVersion) => ({ kind: 'dependency', resourceVersion }) as const),
  rv.map((resourceVersion) => ({ kind: 'binding-deleted', resourceVersion }) as const),
  fc.record({ check: fc.nat(), slot: fc.nat() }).map((t) => ({ kind: 'status-check', ...t }) as const),
  fc
    .record({ source: fc.constantFrom('drift' as const, 'watch' as const), second: fc.nat() })
    .map((t) => ({ kind: 'heal', ...t }) as const),
);

describe('job ids', () => {
  it('round-trip every trigger list through its encoding', () => {
    fc.assert(
      fc.property(fc.array(trigger, { maxLength: 4 }), (ts) => {
        expect(parseTriggers(encodeTriggers(ts))).toEqual(ts);
      }),
    );
  });

  it('parse back what they name, and never hold a colon', () => {
    fc.assert(
      fc.property(
        dns,
        dns,
        dns,
        fc.nat(),
        fc.array(trigger, { maxLength: 3 }),
        (ns, name, cluster, gen, ts) => {
          const p = jobIds.placement(
            { type: 'Deployment.v1.apps', namespace: ns, name },
            { uid: 'abcdef0123', generation: gen },
            ts,
          );
          expect(p).not.toContain(':');
          expect(parseJobId(p)).toEqual({
            queue: 'placement',
            type: 'Deployment.v1.apps',
            namespace: ns,
            name,
            uid: 'abcdef01',
            generation: gen,
            triggers: ts,
          });
          const g = jobIds.propagation({ namespace: '', binding: name, cluster }, gen, ts);
          expect(parseJobId(g)).toEqual({
            queue: 'propagation',
            namespace: '',
            binding: name,
            cluster,
            uid: '',
            generation: gen,
            triggers: ts,
          });
          const m = jobIds.maintenance('probe', cluster, ts);
          expect(parseJobId(m)).toEqual({ queue: 'maintenance', job: 'probe', cluster, triggers: ts });
        },
      ),
    );
  });

  it('keep a scheduler job id (which holds colons) without its colons', () => {
    const id = jobIds.maintenance('gc', 'c1', [{ kind: 'scheduled', jobId: 'repeat:resync:1700000000000' }]);
    expect(id).toBe('gc/c1+jrepeat.resync.1700000000000');
    expect(parseJobId(id)).toEqual({
      queue: 'maintenance',
      job: 'gc',
      cluster: 'c1',
      triggers: [{ kind: 'scheduled', jobId: 'repeat.resync.1700000000000' }],
    });
  });

  it('keep a trigger written by an earlier release (or by hand) as an opaque token', () => {
    expect(parseTriggers('-p123')).toEqual([{ kind: 'other', token: '-p123' }]);
    expect(jobIds.propagation({ namespace: 'a', binding: 'b', cluster: 'c' }, 2, '-p123')).toBe(
      'a/b@cg2-p123',
    );
  });
});
