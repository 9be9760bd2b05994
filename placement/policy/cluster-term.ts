/**
 * Cluster selector terms (affinity terms, static-weight targets, override selectors) compiled once
 * into a per-cluster check. Empty lists mean "no restriction", as in Karmada.
 */
import type { Provider } from '../model-types.js';
import type { ClusterSelectorTerm } from './schema.js';
import { compileLabelSelector, describeLabelSelector, type LabelPredicate } from './selectors.js';

/** The cluster facts a term looks at (a ClusterSnapshot or a ClusterEntry). */
export interface ClusterFacts {
  readonly name: string;
  readonly provider: Provider;
  readonly region: string;
  readonly zone?: string | undefined;
  readonly labels: Readonly<Record<string, string>>;
  /** ClusterEntry: the zones its instances are in (cloud inventory). */
  readonly zones?: readonly { readonly zone: string }[] | undefined;
  /** ClusterSnapshot: its instances by zone (cloud inventory). */
  readonly instances?: readonly { readonly zone: string; readonly count: number }[] | undefined;
}

/**
 * A `zones` term admits a cluster whose zone is listed; a cluster without a declared zone is
 * admitted when every zone its instances run in is listed (its pods may land on any of them).
 */
function inZones(c: ClusterFacts, zones: ReadonlySet<string>): boolean {
  if (c.zone !== undefined) return zones.has(c.zone);
  let any = false;
  const groups: readonly { readonly zone: string; readonly count?: number }[] = c.zones ?? c.instances ?? [];
  for (const g of groups) {
    if (g.count !== undefined && !(g.count > 0)) continue;
    if (!zones.has(g.zone)) return false;
    any = true;
  }
  return any;
}

/** A compiled cluster selector term. */
export interface CompiledClusterTerm {
  readonly source: ClusterSelectorTerm;
  /** undefined when the cluster matches, else why not (a constant string per condition). */
  check(cluster: ClusterFacts): string | undefined;
  /** True when the term restricts nothing. */
  readonly matchesAll: boolean;
}

function setOrUndefined<T>(xs: readonly T[] | undefined): Set<T> | undefined {
  return xs !== undefined && xs.length > 0 ? new Set(xs) : undefined;
}

/** Compiles a cluster selector term. */
export function compileClusterTerm(term: ClusterSelectorTerm | undefined): CompiledClusterTerm {
  const t = term ?? {};
  const names = setOrUndefined(t.clusterNames);
  const exclude = setOrUndefined(t.exclude);
  const providers = setOrUndefined(t.providers);
  const regions = setOrUndefined(t.regions);
  const zones = setOrUndefined(t.zones);
  const labels: LabelPredicate | undefined =
    t.labelSelector !== undefined ? compileLabelSelector(t.labelSelector) : undefined;
  // Reasons are built once here so that rejecting a cluster allocates nothing.
  const notNamed = `not in clusterNames [${t.clusterNames?.join(', ')}]`;
  const excluded = 'excluded by name';
  const badProvider = `provider not in [${t.providers?.join(', ')}]`;
  const badRegion = `region not in [${t.regions?.join(', ')}]`;
  const badZone = `zone not in [${t.zones?.join(', ')}]`;
  const badLabels = `labels do not match {${describeLabelSelector(t.labelSelector)}}`;
  const matchesAll = !names && !exclude && !providers && !regions && !zones && labels === undefined;
  return {
    source: t,
    matchesAll,
    check(c) {
      if (names !== undefined && !names.has(c.name)) return notNamed;
      if (exclude?.has(c.name)) return excluded;
      if (providers !== undefined && !providers.has(c.provider)) return badProvider;
      if (regions !== undefined && !regions.has(c.region)) return badRegion;
      if (zones !== undefined && !inZones(c, zones)) return badZone;
      if (labels !== undefined && !labels(c.labels)) return badLabels;
      return undefined;
    },
  };
}
