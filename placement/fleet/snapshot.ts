/**
 * FleetSnapshot: the fleet at one version, indexed once so that a decision does not redo string
 * work per cluster. Built once per fleet version and shared by every decision on that version;
 * per-policy verdicts that depend only on (policy, fleet) are memoised inside it.
 */
import type { ComputePriceQuote, CostModel, GeoPoint, Provider } from '../model-types.js';
import type { ClusterSnapshot, ResourceAmounts, Taint } from '../types.js';
import { capacityWithInventory, inventoryFacts, type ZoneCapacity } from './inventory.js';

/** Label on a MemberCluster declaring its jurisdiction when the model does not know its region. */
export const JURISDICTION_LABEL = 'fedgate.dev/jurisdiction';

/** A cluster with the facts the plugins need, precomputed. */
export interface ClusterEntry {
  /** Position in `FleetSnapshot.clusters` (sorted by name). */
  readonly index: number;
  readonly name: string;
  readonly provider: Provider;
  readonly region: string;
  readonly zone: string | undefined;
  readonly labels: Readonly<Record<string, string>>;
  readonly taints: readonly Taint[];
  readonly ready: boolean;
  /** What the cluster can run at most: the probe's, capped by its instances (fleet/inventory.ts). */
  readonly allocatable: ResourceAmounts | undefined;
  /** What is free: the probe's, capped by its instances; the instances' totals when the probe says nothing. */
  readonly available: ResourceAmounts | undefined;
  /** Capacity by zone from cloud inventory; undefined without inventory. */
  readonly zones: readonly ZoneCapacity[] | undefined;
  readonly source: ClusterSnapshot;
  /** Group keys for spread constraints (zone key undefined when the cluster has no zone). */
  readonly regionKey: string;
  readonly zoneKey: string | undefined;
  /** Jurisdiction from the model (or the jurisdiction label); undefined when unknown. */
  readonly jurisdiction: string | undefined;
  /** ISO country code from the model; undefined when unknown. */
  readonly country: string | undefined;
  /** True when the model and the label disagree: residency then fails closed. */
  readonly jurisdictionConflict: boolean;
  readonly location: GeoPoint | undefined;
  /** Compute price and where it came from (region table, instance mix, override). */
  readonly price: ComputePriceQuote | undefined;
  /** taint index → `key=value:Effect`, for explanations. */
  readonly taintText: readonly string[];
}

/** An immutable, indexed view of the fleet. */
export interface FleetSnapshot {
  readonly kind: 'FleetSnapshot';
  readonly version: string;
  readonly clusters: readonly ClusterEntry[];
  readonly byName: ReadonlyMap<string, ClusterEntry>;
  readonly byProvider: ReadonlyMap<string, readonly number[]>;
  readonly byRegion: ReadonlyMap<string, readonly number[]>;
  readonly byZone: ReadonlyMap<string, readonly number[]>;
  /** label key → value → cluster indexes */
  readonly byLabel: ReadonlyMap<string, ReadonlyMap<string, readonly number[]>>;
  readonly model: CostModel;
  /**
   * True when some cluster is not priced by its region's list price alone (instance mix,
   * override, provider average): explanations then say where the compared prices came from.
   */
  readonly pricesBeyondTable: boolean;
  /** Memo of per-(policy, fleet) verdicts; internal to the engine. */
  readonly memo: Map<string, unknown>;
}

/** Options of buildFleetSnapshot. */
export interface FleetSnapshotOptions {
  /** The fleet version (e.g. the max resourceVersion); shown in explanations. */
  version?: string;
  model: CostModel;
}

/** Type guard: a prebuilt snapshot rather than a cluster list. */
export function isFleetSnapshot(f: readonly ClusterSnapshot[] | FleetSnapshot): f is FleetSnapshot {
  return !Array.isArray(f) && (f as FleetSnapshot).kind === 'FleetSnapshot';
}

function push<K>(map: Map<K, number[]>, key: K, i: number): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [i]);
  else list.push(i);
}

/** Renders a taint the way kubectl does: key=value:Effect. */
export function taintToString(t: Taint): string {
  return `${t.key}${t.value !== undefined && t.value !== '' ? `=${t.value}` : ''}:${t.effect}`;
}

function entryOf(c: ClusterSnapshot, index: number, model: CostModel): ClusterEntry {
  const ref = { provider: c.provider, region: c.region };
  const info = model.region(ref);
  const labelled = c.labels[JURISDICTION_LABEL];
  const jurisdictionConflict = info !== undefined && labelled !== undefined && labelled !== info.jurisdiction;
  const inv = inventoryFacts(c);
  const capacity = inv !== undefined ? capacityWithInventory(c, inv) : undefined;
  const zone = c.zone ?? (inv?.zones.length === 1 ? inv.zones[0]!.zone : undefined);
  return {
    index,
    name: c.name,
    provider: c.provider,
    region: c.region,
    zone,
    labels: c.labels,
    taints: c.taints,
    ready: c.ready,
    allocatable: capacity?.allocatable ?? c.allocatable,
    available: capacity?.available ?? c.available,
    zones: inv?.zones,
    source: c,
    regionKey: `${c.provider}:${c.region}`,
    zoneKey: zone !== undefined ? `${c.provider}:${c.region}:${zone}` : undefined,
    jurisdiction: jurisdictionConflict ? undefined : (info?.jurisdiction ?? labelled),
    jurisdictionConflict,
    country: info?.country,
    location: c.costOverrides?.location ?? info?.location,
    price:
      inv !== undefined
        ? model.clusterComputePrice(ref, inv.mix, c.costOverrides)
        : model.computePrice(ref, c.costOverrides),
    taintText: c.taints.map(taintToString),
  };
}

/** Builds the indexed snapshot of a fleet; clusters are ordered by name (duplicates refused). */
export function buildFleetSnapshot(
  fleet: readonly ClusterSnapshot[],
  options: FleetSnapshotOptions,
): FleetSnapshot {
  const sorted = [...fleet].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const clusters: ClusterEntry[] = [];
  const byName = new Map<string, ClusterEntry>();
  const byProvider = new Map<string, number[]>();
  const byRegion = new Map<string, number[]>();
  const byZone = new Map<string, number[]>();
  const byLabel = new Map<string, Map<string, number[]>>();
  let pricesBeyondTable = false;
  for (const c of sorted) {
    if (byName.has(c.name)) throw new Error(`duplicate cluster name ${c.name} in fleet`);
    const e = entryOf(c, clusters.length, options.model);
    if (e.price !== undefined && e.price.basis !== 'table') pricesBeyondTable = true;
    clusters.push(e);
    byName.set(e.name, e);
    push(byProvider, e.provider, e.index);
    push(byRegion, e.region, e.index);
    if (e.zone !== undefined) push(byZone, e.zone, e.index);
    for (const [k, v] of Object.entries(e.labels)) {
      let values = byLabel.get(k);
      if (values === undefined) {
        values = new Map();
        byLabel.set(k, values);
      }
      push(values, v, e.index);
    }
  }
  return {
    kind: 'FleetSnapshot',
    version: options.version ?? `n${clusters.length}`,
    clusters,
    byName,
    byProvider,
    byRegion,
    byZone,
    byLabel,
    model: options.model,
    pricesBeyondTable,
    memo: new Map(),
  };
}

/** Cluster capacity in replicas of one pod; Infinity when unknown. */
export function replicaCapacity(
  available: ResourceAmounts | undefined,
  requests: { cpuMilli: number; memoryBytes: number } | undefined,
): number {
  if (available === undefined) return Number.POSITIVE_INFINITY;
  let cap = Math.max(0, Math.floor(available.pods));
  if (requests !== undefined) {
    if (requests.cpuMilli > 0)
      cap = Math.min(cap, Math.floor(Math.max(0, available.cpuMilli) / requests.cpuMilli));
    if (requests.memoryBytes > 0) {
      cap = Math.min(cap, Math.floor(Math.max(0, available.memoryBytes) / requests.memoryBytes));
    }
  }
  return cap;
}
