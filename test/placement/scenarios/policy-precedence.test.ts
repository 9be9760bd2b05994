/**
 * Which PlacementPolicy governs a template when several select it: explicit priority first, then
 * the most specific selector, then name order; the explanation names the winner and why.
 */
import { describe, expect, it } from 'vitest';
import { formatExplanation, type PolicyInfo, schedule } from '../../../placement/index.js';
import { cluster, NOW, policy, template } from '../helpers.js';
import { names, scheduled } from './support.js';

const fleet = [
  cluster('aws-fra', { provider: 'aws', region: 'eu-central-1' }),
  cluster('gcp-bel', { provider: 'gcp', region: 'europe-west1' }),
  cluster('az-ams', { provider: 'azure', region: 'westeurope' }),
  cluster('onprem-fra', { provider: 'onprem', region: 'onprem-fra' }),
  cluster('onprem-zrh', { provider: 'onprem', region: 'onprem-zrh' }),
];
const web = template({ labels: { app: 'web', tier: 'frontend' } });
const D = { apiVersion: 'apps/v1', kind: 'Deployment' };

// Each policy sends the template somewhere else, so the winner is visible in the placement.
const byKind = policy('by-kind', { resourceSelectors: [D], clusterAffinity: { clusterNames: ['aws-fra'] } });
const byNamespace = policy('by-namespace', {
  resourceSelectors: [{ ...D, namespace: 'shop' }],
  clusterAffinity: { clusterNames: ['gcp-bel'] },
});
const byOneLabel = policy('by-one-label', {
  resourceSelectors: [{ ...D, labelSelector: { matchLabels: { app: 'web' } } }],
  clusterAffinity: { clusterNames: ['az-ams'] },
});
const byTwoLabels = policy('by-two-labels', {
  resourceSelectors: [
    {
      ...D,
      labelSelector: { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'Exists' }] },
    },
  ],
  clusterAffinity: { clusterNames: ['onprem-fra'] },
});
const byName = policy('by-name', {
  resourceSelectors: [{ ...D, namespace: 'shop', name: 'web' }],
  clusterAffinity: { clusterNames: ['onprem-zrh'] },
});

function run(policies: PolicyInfo[]) {
  return schedule({ template: web, policies, fleet, now: NOW });
}

describe('policy precedence', () => {
  it('the most specific selector wins: name > label selector (more requirements first) > namespace > kind', () => {
    const all = [byKind, byNamespace, byOneLabel, byTwoLabels, byName];
    const r = scheduled(run(all));
    expect(r.policy).toBe('by-name');
    expect(names(r)).toEqual(['onprem-zrh']);
    expect(r.explanation.policy).toEqual({
      winner: 'by-name',
      reason: 'more specific selector (name > labelSelector(2) of by-two-labels)',
      candidates: [
        { name: 'by-name', priority: 0, specificity: 'name', rank: 1 },
        { name: 'by-two-labels', priority: 0, specificity: 'labelSelector(2)', rank: 2 },
        { name: 'by-one-label', priority: 0, specificity: 'labelSelector(1)', rank: 3 },
        { name: 'by-namespace', priority: 0, specificity: 'namespace', rank: 4 },
        { name: 'by-kind', priority: 0, specificity: 'kind', rank: 5 },
      ],
    });
    // Dropping the winner each time walks down the specificity ladder.
    expect(run([byKind, byNamespace, byOneLabel, byTwoLabels]).explanation.policy?.winner).toBe(
      'by-two-labels',
    );
    expect(run([byKind, byNamespace, byOneLabel]).explanation.policy?.reason).toBe(
      'more specific selector (labelSelector(1) > namespace of by-namespace)',
    );
    expect(names(run([byKind, byNamespace]))).toEqual(['gcp-bel']);
    expect(run([byKind]).explanation.policy?.reason).toBe('only matching policy');
  });

  it('explicit priority beats specificity, and the explanation says so', () => {
    const urgent = policy('urgent', {
      priority: 5,
      resourceSelectors: [D],
      clusterAffinity: { providers: ['gcp'] },
    });
    const r = scheduled(run([byName, byTwoLabels, urgent]));
    expect(r.policy).toBe('urgent');
    expect(names(r)).toEqual(['gcp-bel']);
    expect(r.explanation.policy?.reason).toBe('higher priority (5 > 0 of by-name)');
    expect(formatExplanation(r.explanation)).toContain('policy: urgent (higher priority (5 > 0 of by-name))');
    // A negative priority loses even to a kind-wide default.
    const fallback = policy('fallback', { priority: -1, resourceSelectors: [{ ...D, name: 'web' }] });
    expect(run([fallback, byKind]).explanation.policy?.winner).toBe('by-kind');
  });

  it('a full tie is broken by policy name, and reported as such', () => {
    const a = policy('alpha', { resourceSelectors: [D], clusterAffinity: { clusterNames: ['az-ams'] } });
    const b = policy('beta', { resourceSelectors: [D], clusterAffinity: { clusterNames: ['aws-fra'] } });
    const r = scheduled(run([b, a]));
    expect(r.policy).toBe('alpha');
    expect(names(r)).toEqual(['az-ams']);
    expect(r.explanation.policy?.reason).toBe(
      'tie on priority and specificity with beta; name order decides',
    );
  });

  it('a policy is as specific as its best matching selector; non-matching selectors do not count', () => {
    const wide = policy('wide', {
      resourceSelectors: [D, { ...D, name: 'web' }, { ...D, name: 'other' }],
      clusterAffinity: { clusterNames: ['aws-fra'] },
    });
    const r = scheduled(run([wide, byTwoLabels]));
    expect(r.policy).toBe('wide');
    expect(r.explanation.policy?.candidates[0]?.specificity).toBe('name');
    // Selectors that do not match (other namespace, other kind, other labels) make no candidate.
    const elsewhere = policy('elsewhere', { resourceSelectors: [{ ...D, namespace: 'finance' }] });
    const stateful = policy('stateful', { resourceSelectors: [{ ...D, kind: 'StatefulSet' }] });
    const labelled = policy('labelled', {
      resourceSelectors: [{ ...D, labelSelector: { matchLabels: { tier: 'backend' } } }],
    });
    const only = run([elsewhere, stateful, labelled, byKind]);
    expect(only.explanation.policy?.candidates.map((c) => c.name)).toEqual(['by-kind']);
  });

  it('no matching policy: the template is not placed and the explanation says why', () => {
    const r = run([policy('finance', { resourceSelectors: [{ ...D, namespace: 'finance' }] })]);
    expect(r.status).toBe('NoMatchingPolicy');
    expect(r.explanation.messages).toEqual(['no policy selects this template']);
    expect(r.explanation.placement).toEqual([]);
  });
});
