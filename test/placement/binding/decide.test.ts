import { describe, expect, it } from 'vitest';
import { decideBinding } from '../../../placement/binding/decide.js';
import type { KubeObject, PolicyInfo, ScheduleResult } from '../../../placement/index.js';

const explanation = {} as never;
const configMap: KubeObject = {
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'cfg', namespace: 'shop' },
};
const deployment: KubeObject = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'shop' },
  spec: {
    replicas: 2,
    template: {
      spec: { containers: [{ name: 'a', image: 'x', envFrom: [{ configMapRef: { name: 'cfg' } }] }] },
    },
  },
};
const scheduled = (clusters: { name: string; replicas?: number }[], policy = 'p'): ScheduleResult =>
  ({ status: 'Scheduled', policy, clusters, evictions: [], explanation }) as unknown as ScheduleResult;
const policy = (name: string, propagateDependencies?: boolean): PolicyInfo =>
  ({
    name,
    spec: { ...(propagateDependencies === undefined ? {} : { propagateDependencies }) },
  }) as PolicyInfo;

describe('decideBinding', () => {
  it('places a dependency no policy selects wherever the workloads referencing it run', () => {
    const d = decideBinding({
      template: configMap,
      result: { status: 'NoMatchingPolicy', explanation } as ScheduleResult,
      policies: [],
      referrers: [
        { name: 'web-deployment', clusters: [{ name: 'c2' }, { name: 'c1' }] },
        { name: 'api-deployment', clusters: ['c3'] },
        { name: 'idle-deployment', clusters: [] },
      ],
    });
    expect(d).toEqual({
      placement: 'FollowsWorkload',
      clusters: [{ name: 'c1' }, { name: 'c2' }, { name: 'c3' }],
      requiredBy: ['web-deployment', 'api-deployment'],
      dependencies: [],
    });
  });

  it('adds the workloads’ clusters to a scheduled dependency’s own, keeping its replicas', () => {
    const d = decideBinding({
      template: configMap,
      result: scheduled([{ name: 'c2', replicas: 1 }]),
      policies: [policy('p')],
      referrers: [{ name: 'web', clusters: ['c1', 'c2'] }],
    });
    expect(d.placement).toBe('Scheduled');
    expect(d.clusters).toEqual([{ name: 'c1' }, { name: 'c2', replicas: 1 }]);
  });

  it('takes along what a scheduled workload references, unless its policy opts out; workloads follow nothing', () => {
    const input = {
      template: deployment,
      result: scheduled([{ name: 'c1', replicas: 2 }]),
      referrers: [{ name: 'x', clusters: ['c9'] }],
    };
    expect(decideBinding({ ...input, policies: [policy('p')] })).toEqual({
      placement: 'Scheduled',
      clusters: [{ name: 'c1', replicas: 2 }],
      requiredBy: [],
      dependencies: [{ kind: 'ConfigMap', name: 'cfg' }],
    });
    expect(decideBinding({ ...input, policies: [policy('p', false)] }).dependencies).toEqual([]);
  });

  it('places an unreadable or unschedulable template nowhere of its own', () => {
    expect(decideBinding({ template: deployment, result: undefined, policies: [], referrers: [] })).toEqual({
      placement: 'Unschedulable',
      clusters: [],
      requiredBy: [],
      dependencies: [],
    });
  });

  it('keeps the current placement of an unschedulable template (still in the fleet) with what it references', () => {
    const unschedulable = {
      status: 'Unschedulable',
      policy: 'p',
      reason: 'SpreadConstraintUnsatisfiable',
      message: 'minGroups 3: 2 group(s)',
      explanation,
    } as ScheduleResult;
    const previous = [
      { name: 'c1', replicas: 1 },
      { name: 'gone', replicas: 1 },
    ];
    const d = decideBinding({
      template: deployment,
      result: unschedulable,
      policies: [policy('p')],
      referrers: [],
      previous,
      inFleet: (c) => c !== 'gone',
    });
    expect(d).toEqual({
      placement: 'Unschedulable',
      clusters: [{ name: 'c1', replicas: 1 }],
      requiredBy: [],
      dependencies: [{ kind: 'ConfigMap', name: 'cfg' }],
      kept: true,
    });
    // No policy selects it any more: nothing is kept (deleting the policy is how work is removed).
    const none = decideBinding({
      template: deployment,
      result: { status: 'NoMatchingPolicy', explanation } as ScheduleResult,
      policies: [],
      referrers: [],
      previous,
    });
    expect(none.clusters).toEqual([]);
    expect(none.kept).toBeUndefined();
  });
});
