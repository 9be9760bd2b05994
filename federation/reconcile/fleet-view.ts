import type { PlacementPolicySpec } from '../../placement/index.js';
import {
  buildFleetSnapshot,
  type CostModel,
  type FleetSnapshot,
  type PolicyInfo,
} from '../../placement/index.js';
import { defaultCostModel } from '../../placement/model/index.js';
import { MEMBER_CLUSTER_TYPE, PLACEMENT_POLICY_TYPE } from '../resources/kinds.js';
import type { ResourceStore } from '../store/resource-store.js';
import { type MemberClusterObject, toClusterSnapshot } from './cluster-snapshot.js';
import { ReservationLedger } from './reservation-ledger.js';

/** The fleet and the policies at one version, as every placement decision of a worker shares them. */
export interface FleetState {
  readonly version: string;
  readonly clusters: ReadonlyMap<string, MemberClusterObject>;
  readonly fleet: FleetSnapshot;
  readonly policies: readonly PolicyInfo[];
}

/**
 * Caches the member clusters, their scheduler snapshot and the placement policies, re-reading
 * them only when a write to either type moved its version (one HMGET per decision otherwise).
 */
export class FleetView {
  private cached: FleetState | undefined;
  private loading: Promise<FleetState> | undefined;

  /** Capacity committed in each cluster but not yet in its reports (see ReservationLedger). */
  readonly reservations: ReservationLedger;

  constructor(
    private readonly store: ResourceStore,
    private readonly model: CostModel = defaultCostModel,
  ) {
    this.reservations = new ReservationLedger(store, { now: () => Date.now() });
  }

  /** The types whose versions tell whether the cached state is current (see `currentAt`). */
  static readonly TYPES: readonly string[] = [MEMBER_CLUSTER_TYPE, PLACEMENT_POLICY_TYPE];

  /** The current fleet state. */
  async current(): Promise<FleetState> {
    return this.currentAt(await this.store.typeVersions(FleetView.TYPES));
  }

  /**
   * The fleet state at the given versions of `FleetView.TYPES`, read by the caller together with
   * what else it needed (no round trip of its own when the cache is current).
   */
  async currentAt(versions: readonly string[]): Promise<FleetState> {
    const [mcv = '0', ppv = '0'] = versions;
    const version = `${mcv}.${ppv}`;
    if (this.cached?.version === version) return this.cached;
    if (!this.loading) {
      this.loading = this.load(version).finally(() => {
        this.loading = undefined;
      });
    }
    const loaded = await this.loading;
    return loaded.version === version ? loaded : this.current();
  }

  private async load(version: string): Promise<FleetState> {
    const [mcs, pps] = await Promise.all([
      this.store.list(MEMBER_CLUSTER_TYPE),
      this.store.list(PLACEMENT_POLICY_TYPE),
    ]);
    const clusters = new Map<string, MemberClusterObject>();
    for (const mc of mcs.items) clusters.set(mc.metadata.name, mc as MemberClusterObject);
    const fleet = buildFleetSnapshot(
      [...clusters.values()].map((mc) => toClusterSnapshot(mc)),
      { version, model: this.model },
    );
    // The compile cache is keyed by (name, resourceVersion) process-wide; resourceVersions repeat
    // across stores (two control planes in one process, a store rebuilt), so the uid joins the key.
    const policies: PolicyInfo[] = pps.items.map((p) => ({
      name: p.metadata.name,
      spec: p.spec as PlacementPolicySpec,
      ...(p.metadata.resourceVersion
        ? { resourceVersion: `${p.metadata.uid ?? ''}/${p.metadata.resourceVersion}` }
        : {}),
    }));
    this.cached = { version, clusters, fleet, policies };
    return this.cached;
  }
}
