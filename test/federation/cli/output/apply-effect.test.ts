import { describe, expect, it } from 'vitest';
import { renderApplyEffect } from '../../../../federation/cli/output/apply-effect.js';

const web = { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'web' };
const db = { apiVersion: 'apps/v1', kind: 'StatefulSet', namespace: 'shop', name: 'db' };

describe('renderApplyEffect (fedgate apply --dry-run of policies)', () => {
  it('lists what would move, become unschedulable (kept or not) and lose replicas', () => {
    const text = renderApplyEffect({
      templates: 3,
      move: [{ template: web, before: [{ name: 'a', replicas: 2 }], after: [{ name: 'b', replicas: 2 }] }],
      unschedulable: [
        {
          template: db,
          reason: 'SpreadConstraintUnsatisfiable',
          message: 'minGroups 3: 2 group(s)',
          kept: [{ name: 'a', replicas: 1 }],
        },
        { template: { ...db, name: 'cache' }, reason: 'NoMatchingPolicy', message: '', kept: [] },
      ],
      loseReplicas: [{ template: web, before: 4, after: 2 }],
    });
    expect(text).toBe(
      [
        '',
        'Effect on placement (3 templates simulated; nothing was applied):',
        '  would move (1):',
        '    shop/deployment/web: a(2) → b(2)',
        '  would become unschedulable (2):',
        '    shop/statefulset/db: SpreadConstraintUnsatisfiable: minGroups 3: 2 group(s); keeps running on a(1)',
        '    shop/statefulset/cache: NoMatchingPolicy; nothing left running',
        '  would lose replicas (1):',
        '    shop/deployment/web: 4 → 2',
        '',
      ].join('\n'),
    );
  });

  it('says when nothing would change', () => {
    expect(renderApplyEffect({ templates: 1, move: [], unschedulable: [], loseReplicas: [] })).toContain(
      'no template would move, become unschedulable or lose replicas',
    );
  });
});
