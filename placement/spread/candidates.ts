/** What spread selection chooses from: candidates in preference order, and how to name them. */
import type { ClusterEntry } from '../fleet/snapshot.js';
import type { SpreadField } from './group-key.js';

/**
 * Candidates in preference order, read by position: a plain array, or a lazily ordered sequence
 * of which selection usually reads only the first few (see division/order.ts).
 */
export interface CandidateList {
  readonly length: number;
  at(i: number): ClusterEntry | undefined;
}

/**
 * What the candidates are, for failure messages. The division strategy may leave out feasible
 * clusters (AvailableCapacity: those without capacity data), so a message counts the groups of
 * the candidates under their own name and, where the two differ, those of the feasible clusters.
 */
export interface CandidateScope {
  /** The candidates, after a count: 'feasible cluster(s)', 'cluster(s) with capacity data'… */
  readonly label: string;
  /** When the candidates are only some of the feasible clusters: how many those are, and their groups. */
  readonly feasible?: { readonly count: number; groups(field: SpreadField): number };
}
