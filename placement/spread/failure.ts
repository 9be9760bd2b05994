/**
 * Why a spread selection failed, in words a user can check against the explanation. Each message
 * says what it counts: the groups of the candidates (named after what the division strategy kept,
 * e.g. "clusters with capacity data") and, when the strategy left feasible clusters out, the groups
 * of the feasible clusters too, so a shortfall caused by the strategy does not read as if the other
 * clusters were infeasible.
 */
import type { SpreadConstraint } from '../policy/schema.js';
import type { CandidateScope } from './candidates.js';

const DEFAULT_SCOPE: CandidateScope = { label: 'candidate cluster(s)' };

/** A constraint whose candidates span fewer groups than its minGroups. */
export interface Shortfall {
  constraint: SpreadConstraint;
  /** Groups spanned by the candidates (forced clusters included). */
  groups: number;
}

/** `spreadByField region needs minGroups 4: 3 group(s) among the 6 feasible cluster(s)`, one part per constraint. */
export function shortfallMessage(
  shortfalls: readonly Shortfall[],
  candidates: number,
  scope: CandidateScope = DEFAULT_SCOPE,
): string {
  return shortfalls
    .map(({ constraint: k, groups }) => {
      const feasible = scope.feasible;
      const more = feasible !== undefined ? feasible.groups(k.spreadByField) : groups;
      const also =
        feasible !== undefined && more !== groups
          ? ` (${more} among the ${feasible.count} feasible cluster(s))`
          : '';
      return `spreadByField ${k.spreadByField} needs minGroups ${k.minGroups}: ${groups} group(s) among the ${candidates} ${scope.label}${also}`;
    })
    .join('; ');
}

/** Every seed needs a replica. */
export function seedsMessage(maxSeeds: number): string {
  return `${maxSeeds} replicas cannot cover every spread constraint's minGroups`;
}

function bounds(k: SpreadConstraint): string | undefined {
  const g = `${k.spreadByField} group(s)`;
  const max = k.maxGroups;
  if (max === undefined) return k.minGroups > 1 ? `at least ${k.minGroups} ${g}` : undefined;
  if (k.minGroups === max) return `exactly ${max} ${g}`;
  return k.minGroups > 1 ? `${k.minGroups} to ${max} ${g}` : `at most ${max} ${g}`;
}

/** The selection asked for, in words: bounds per constraint, kept clusters, seed limit. */
function asked(
  constraints: readonly SpreadConstraint[],
  candidates: number,
  scope: CandidateScope,
  forced: number,
  maxSeeds: number | undefined,
): string {
  const spans = constraints.map(bounds).filter((b) => b !== undefined);
  const keep = forced > 0 ? ` keeping the ${forced} cluster(s) of the previous placement` : '';
  const seeds = maxSeeds !== undefined ? ` with at most ${maxSeeds} added cluster(s), one per replica` : '';
  const what = spans.length > 0 ? `spans ${spans.join(' and ')}` : 'meets every spread constraint';
  return `of the ${candidates} ${scope.label} ${what}${keep}${seeds}`;
}

/** The search proved that no selection satisfies the constraints together. */
export function conflictMessage(
  constraints: readonly SpreadConstraint[],
  candidates: number,
  scope: CandidateScope = DEFAULT_SCOPE,
  forced = 0,
  maxSeeds?: number,
): string {
  return `spread constraints conflict: no choice ${asked(constraints, candidates, scope, forced, maxSeeds)}`;
}

/** The search ran out of budget: nothing is proved. */
export function exhaustedMessage(
  constraints: readonly SpreadConstraint[],
  candidates: number,
  visits: number,
  scope: CandidateScope = DEFAULT_SCOPE,
  forced = 0,
  maxSeeds?: number,
): string {
  return `spread selection search exhausted its budget (${visits} class visits) without finding a choice ${asked(constraints, candidates, scope, forced, maxSeeds)}; one may exist`;
}
