/**
 * Which policy wins when several match one template. Precedence, first difference decides:
 *   1. higher `priority`;
 *   2. more specific selector: by name > by label selector (more requirements first) > by namespace > by kind;
 *   3. policy name, ascending (a deterministic last resort, reported as such).
 */
import type { PolicyCandidate } from '../explain/types.js';
import type { TemplateInfo } from '../types.js';
import type { CompiledPolicy, Specificity } from './compile.js';

const LEVEL_NAMES = ['kind', 'namespace', 'labelSelector', 'name'] as const;

/** A policy that matches the template, with its best specificity. */
export interface MatchedPolicy {
  policy: CompiledPolicy;
  specificity: Specificity;
}

function bestSpecificity(p: CompiledPolicy, t: TemplateInfo): Specificity | undefined {
  let best: Specificity | undefined;
  for (const s of p.selectors) {
    const m = s.match(t);
    if (m !== undefined && (best === undefined || compareSpecificity(m, best) > 0)) best = m;
  }
  return best;
}

function compareSpecificity(a: Specificity, b: Specificity): number {
  return a.level - b.level || a.requirements - b.requirements;
}

/** Orders matches best first. */
function compareMatches(a: MatchedPolicy, b: MatchedPolicy): number {
  return (
    b.policy.priority - a.policy.priority ||
    compareSpecificity(b.specificity, a.specificity) ||
    (a.policy.name < b.policy.name ? -1 : a.policy.name > b.policy.name ? 1 : 0)
  );
}

function describeSpecificity(s: Specificity): string {
  const level = LEVEL_NAMES[s.level] ?? 'kind';
  return level === 'labelSelector' ? `labelSelector(${s.requirements})` : level;
}

function whyWon(winner: MatchedPolicy, runnerUp: MatchedPolicy | undefined): string {
  if (runnerUp === undefined) return 'only matching policy';
  if (winner.policy.priority !== runnerUp.policy.priority) {
    return `higher priority (${winner.policy.priority} > ${runnerUp.policy.priority} of ${runnerUp.policy.name})`;
  }
  if (compareSpecificity(winner.specificity, runnerUp.specificity) !== 0) {
    return `more specific selector (${describeSpecificity(winner.specificity)} > ${describeSpecificity(runnerUp.specificity)} of ${runnerUp.policy.name})`;
  }
  return `tie on priority and specificity with ${runnerUp.policy.name}; name order decides`;
}

/** Result of policy selection for one template. */
export interface PolicySelection {
  winner: MatchedPolicy | undefined;
  reason: string;
  candidates: PolicyCandidate[];
}

/** Picks the winning policy for a template and explains the choice. */
export function selectPolicy(policies: readonly CompiledPolicy[], template: TemplateInfo): PolicySelection {
  const matches: MatchedPolicy[] = [];
  for (const policy of policies) {
    const specificity = bestSpecificity(policy, template);
    if (specificity !== undefined) matches.push({ policy, specificity });
  }
  matches.sort(compareMatches);
  const winner = matches[0];
  const candidates: PolicyCandidate[] = matches.map((m, i) => ({
    name: m.policy.name,
    priority: m.policy.priority,
    specificity: describeSpecificity(m.specificity),
    rank: i + 1,
  }));
  const reason = winner === undefined ? 'no policy selects this template' : whyWon(winner, matches[1]);
  return { winner, reason, candidates };
}
