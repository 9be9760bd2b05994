/** Spread groups: which group a cluster belongs to for each field a spread constraint can name. */
import type { ClusterEntry } from '../fleet/snapshot.js';
import type { SpreadConstraint } from '../policy/schema.js';

/** A field a spread constraint groups clusters by. */
export type SpreadField = SpreadConstraint['spreadByField'];

/**
 * The group a cluster belongs to for one spread field. Groups nest: a region is `provider:region`
 * and a zone `provider:region:zone`, so a region never spans two providers.
 */
export function groupKey(c: ClusterEntry, field: SpreadField): string {
  switch (field) {
    case 'provider':
      return c.provider;
    case 'region':
      return c.regionKey;
    case 'zone':
      return c.zoneKey ?? `${c.regionKey}:?`;
    case 'cluster':
      return c.name;
  }
}
