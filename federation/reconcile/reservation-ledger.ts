import { inFlight, type PlacedCopy, type ResourceAmounts } from '../../placement/index.js';
import type { BindingClusterStatus, BindingSpec } from '../resources/binding.js';
import { BINDING_TYPE } from '../resources/kinds.js';
import type { ResourceStore } from '../store/resource-store.js';

/** Options of the ledger. */
export interface ReservationLedgerProps {
  /** Reload every Binding (and what each cluster reports) at most this often. Default 2 s. */
  readonly minReloadMs?: number;
  /** Reload at least this often, to see other workers' decisions. Default 10 s. */
  readonly maxAgeMs?: number;
  readonly now: () => number;
}

/**
 * What every Binding has placed in each member cluster and what the clusters report ready, kept
 * by one worker for its placement decisions: the capacity committed but not yet in a cluster's
 * probe (`reserved`; a ready replica counts as in the probe only when the probe came after it). Loaded from the store (every Binding and its per-cluster statuses) when the
 * fleet's reported capacity changed, or when it is older than `maxAgeMs`; between loads each
 * decision this worker takes is recorded at once (synchronously, before its Binding is even
 * saved), so concurrent decisions of one worker never count the same free room twice. Other
 * workers' decisions are seen at the next load.
 */
export class ReservationLedger {
  private copies = new Map<string, readonly PlacedCopy[]>();
  private recorded = new Map<string, { copies: readonly PlacedCopy[]; at: number }>();
  private totals = new Map<string, ResourceAmounts>();
  private probedAt: ReadonlyMap<string, number> = new Map();
  private loadedAt = Number.NEGATIVE_INFINITY;
  private loadedFor = '';
  private loading: Promise<void> | undefined;
  private readonly minReloadMs: number;
  private readonly maxAgeMs: number;

  constructor(
    private readonly store: ResourceStore,
    private readonly props: ReservationLedgerProps,
  ) {
    this.minReloadMs = props.minReloadMs ?? 2_000;
    this.maxAgeMs = props.maxAgeMs ?? 10_000;
  }

  /**
   * Loads the ledger again if `fleetVersion` (the clusters' reports) moved on, or it is old.
   * `probedAt`: when each cluster's capacity was last probed (epoch ms).
   */
  async fresh(fleetVersion: string, probedAt: ReadonlyMap<string, number>): Promise<void> {
    const age = this.props.now() - this.loadedAt;
    const stale = age >= this.maxAgeMs || (fleetVersion !== this.loadedFor && age >= this.minReloadMs);
    if (!stale) return;
    this.loading ??= this.load(fleetVersion, probedAt).finally(() => {
      this.loading = undefined;
    });
    await this.loading;
  }

  /** Per cluster, what placed copies hold beyond what the cluster's capacity report counts. */
  reserved(): ReadonlyMap<string, ResourceAmounts> {
    return this.totals;
  }

  /** Records a decision of this worker: the binding's copies from now on. */
  record(binding: string, copies: readonly PlacedCopy[]): void {
    this.add(this.copies.get(binding) ?? [], -1);
    this.add(copies, 1);
    this.copies.set(binding, copies);
    this.recorded.set(binding, { copies, at: this.props.now() });
  }

  private add(copies: readonly PlacedCopy[], sign: 1 | -1): void {
    for (const [cluster, r] of inFlight(copies, (c) => this.probedAt.get(c))) {
      const t = this.totals.get(cluster) ?? { cpuMilli: 0, memoryBytes: 0, pods: 0 };
      t.cpuMilli += sign * r.cpuMilli;
      t.memoryBytes += sign * r.memoryBytes;
      t.pods += sign * r.pods;
      this.totals.set(cluster, t);
    }
  }

  private async load(fleetVersion: string, probedAt: ReadonlyMap<string, number>): Promise<void> {
    const started = this.props.now();
    const { items } = await this.store.list(BINDING_TYPE);
    const next = new Map<string, readonly PlacedCopy[]>();
    await Promise.all(
      items.map(async (b) => {
        const spec = b.spec as BindingSpec;
        const placed = spec.clusters.filter((c) => c.replicas !== undefined && c.replicas > 0);
        if (placed.length === 0) return;
        const key = { type: BINDING_TYPE, namespace: b.metadata.namespace ?? '', name: b.metadata.name };
        const statuses = await this.store.clusterStatuses<BindingClusterStatus>(key);
        const byCluster = new Map(statuses.map((st) => [st.cluster, st]));
        next.set(
          ledgerKey(key.namespace, key.name),
          placed.map((c) => copyOf(c.name, c.replicas!, byCluster.get(c.name), spec.podRequests)),
        );
      }),
    );
    // Decisions recorded while loading may be missing from what was read: they stand.
    for (const [k, r] of this.recorded) {
      if (r.at >= started) next.set(k, r.copies);
      else this.recorded.delete(k);
    }
    this.copies = next;
    this.probedAt = probedAt;
    this.totals = new Map();
    for (const copies of next.values()) this.add(copies, 1);
    this.loadedAt = started;
    this.loadedFor = fleetVersion;
  }
}

/** One copy for the ledger, from what the cluster reports about it. */
export function copyOf(
  cluster: string,
  replicas: number,
  status: BindingClusterStatus | undefined,
  requests: { cpuMilli: number; memoryBytes: number } | undefined,
): PlacedCopy {
  const at = status ? Date.parse(status.lastUpdateTime) : Number.NaN;
  return {
    cluster,
    replicas,
    ready: status?.readyReplicas ?? 0,
    ...(requests ? { requests } : {}),
    ...(Number.isFinite(at) ? { readyAt: at } : {}),
  };
}

/** The ledger's key of a Binding. */
export function ledgerKey(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}
