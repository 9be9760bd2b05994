import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { Counter } from 'prom-client';
import { diffManaged, retainIgnored } from '../../placement/drift/diff.js';
import type { DriftPolicy } from '../../placement/policy/schema.js';
import type { ClusterSnapshot } from '../../placement/types.js';
import type { ManifestObject, MemberClusterClient } from '../../providers/member-cluster-client.js';
import type { Clock } from '../controller/context.js';
import type { JobRequest, Outcome } from '../controller/controller.js';
import type { BindingClusterStatus, ClusterDrift } from '../resources/binding.js';
import { BINDING_TYPE } from '../resources/kinds.js';
import type { ObjectKey } from '../resources/kube-object.js';
import { ALL_NAMESPACES, clusterReference } from '../store/references.js';
import type { ResourceStore } from '../store/resource-store.js';
import type { ClusterClients } from './cluster-clients.js';
import { toClusterSnapshot } from './cluster-snapshot.js';
import { updateClusterStatus } from './cluster-status-update.js';
import type { FleetState, FleetView } from './fleet-view.js';
import { healJob } from './heal-job.js';
import { bindingHash, FIELD_MANAGER, OWNERSHIP } from './ownership.js';
import type { BindingObject } from './placement-reconciler.js';
import { renderManifest } from './render-manifest.js';

/** Bindings compared at once during a scan. */
const SCAN_CONCURRENCY = 64;

/** Paths kept in a binding's status per cluster; the log line has them all. */
const MAX_PATHS = 50;

/** What one inspection found and did. */
export type DriftOutcome = 'none' | 'reported' | 'restored';

/** What one periodic scan of a cluster found. */
export interface DriftScanSummary {
  /** Objects compared with their desired manifest. */
  readonly checked: number;
  readonly drifted: number;
  readonly restored: number;
  /** Skipped: a new manifest is still being propagated, so differences are not drift. */
  readonly pending: number;
  /** Expected but not listed (deleted, or its labels removed): handed to propagation. */
  readonly missing: number;
}

/** One live object and what fedgate applied to it. */
export interface DriftCheck {
  readonly bindingKey: ObjectKey;
  readonly cluster: string;
  readonly client: MemberClusterClient;
  readonly manifest: ManifestObject;
  readonly live: ManifestObject;
  readonly policy: DriftPolicy | undefined;
}

/** A stable hash of a rendered manifest: equal hashes mean the same desired object. */
export function manifestHash(manifest: ManifestObject): string {
  return createHash('sha256').update(stableJson(manifest)).digest('hex').slice(0, 16);
}

/** The counter of drift detections, registered once per metrics registry. */
export type DriftCounter = Counter<'cluster' | 'mode'>;

/** What the drift detector works with. */
export interface DriftDeps {
  readonly store: ResourceStore;
  readonly fleet: FleetView;
  readonly clients: ClusterClients;
  readonly clock: Clock;
  readonly log: Logger;
  readonly counter?: DriftCounter;
}

/**
 * Detects changes made directly in member clusters to objects fedgate placed: compares the live
 * object with the manifest fedgate applied (only the fields it manages), records the drifted
 * paths in the binding's per-cluster status, counts and logs each new drift, and restores the
 * object (server-side apply with fedgate's field manager, force) unless the policy says Report.
 */
export class DriftDetector {
  private readonly store: ResourceStore;
  private readonly fleet: FleetView;
  private readonly clients: ClusterClients;
  private readonly log: Logger;
  private readonly counter: DriftCounter | undefined;
  private readonly now: () => number;

  constructor(deps: DriftDeps) {
    this.store = deps.store;
    this.fleet = deps.fleet;
    this.clients = deps.clients;
    this.log = deps.log;
    this.counter = deps.counter;
    this.now = () => deps.clock.now();
  }

  /** Compares one live object with its manifest and acts as the policy says (`status`: the cluster status, when already read). */
  async inspect(c: DriftCheck, status?: BindingClusterStatus): Promise<DriftOutcome> {
    return (await this.examine(c, status)).outcome;
  }

  /**
   * What `inspect` does, also returning the cluster status as it stands afterwards (as written, or
   * as read when nothing was written) and the object as a restore left it, so the caller need not
   * read either again.
   */
  async examine(
    c: DriftCheck,
    status?: BindingClusterStatus,
  ): Promise<{ outcome: DriftOutcome; status: BindingClusterStatus | undefined; restored?: ManifestObject }> {
    const mode = c.policy?.mode ?? 'Restore';
    const fields = diffManaged(c.manifest, c.live, { ignoreFields: c.policy?.ignoreFields ?? [] });
    const prev = status ?? (await this.store.clusterStatus<BindingClusterStatus>(c.bindingKey, c.cluster));
    if (fields.length === 0) {
      // Drift left in place has gone (reverted by hand): clear it. A restored one stays as history.
      if (prev?.drift && !prev.drift.restored)
        return { outcome: 'none', status: await this.write(c, prev, undefined) };
      return { outcome: 'none', status: prev };
    }
    const paths = fields.map((f) => f.path);
    if (
      prev?.drift?.restoredVersion !== undefined &&
      prev.drift.restoredVersion === c.live.metadata.resourceVersion
    ) {
      // Untouched since fedgate restored it, yet different: re-applying again would loop.
      this.log.debug(
        { cluster: c.cluster, binding: c.bindingKey.name, paths },
        'drift persists after restore',
      );
      return { outcome: 'none', status: prev };
    }
    const known = prev?.drift?.restored === false && samePaths(prev.drift.paths, paths.slice(0, MAX_PATHS));
    const object = `${c.manifest.kind} ${c.manifest.metadata.namespace ?? ''}/${c.manifest.metadata.name}`;
    if (!known) {
      this.counter?.inc({ cluster: c.cluster, mode });
      this.log.warn(
        {
          cluster: c.cluster,
          binding: `${c.bindingKey.namespace}/${c.bindingKey.name}`,
          object,
          mode,
          paths,
          fields: fields
            .slice(0, 10)
            .map((f) => ({ path: f.path, desired: brief(f.desired), live: brief(f.live) })),
        },
        mode === 'Restore' ? 'drift detected, restoring' : 'drift detected, left in place (Report)',
      );
    }
    // Ignored fields keep their live values: restoring an image must not take back an HPA's replicas.
    const body = retainIgnored(c.manifest, c.live, c.policy?.ignoreFields ?? []);
    const restored =
      mode === 'Restore' ? await c.client.apply([body], { fieldManager: FIELD_MANAGER }) : undefined;
    const restoredVersion = restored?.[0]?.metadata.resourceVersion;
    const drift: ClusterDrift =
      known && prev?.drift
        ? prev.drift
        : {
            paths: paths.slice(0, MAX_PATHS),
            detectedAt: new Date(this.now()).toISOString(),
            mode,
            restored: mode === 'Restore',
            ...(typeof restoredVersion === 'string' ? { restoredVersion } : {}),
          };
    const after = prev ? await this.write(c, prev, drift) : prev;
    return {
      outcome: mode === 'Restore' ? 'restored' : 'reported',
      status: after,
      ...(restored?.[0] ? { restored: restored[0] } : {}),
    };
  }

  /**
   * Scans one member cluster: one list per placed kind (by fedgate's ownership labels), each
   * object compared with the manifest its binding renders for the cluster. Objects whose binding
   * has a newer manifest still being propagated are skipped; objects missing from the list get a
   * propagation job (a follow-up), which re-creates them or inspects them (when only their labels
   * were changed).
   */
  async scan(clusterName: string): Promise<Outcome<DriftScanSummary>> {
    const heals: JobRequest[] = [];
    const n = { none: 0, reported: 0, restored: 0, pending: 0, missing: 0, skipped: 0 };
    const summary = (): DriftScanSummary => ({
      checked: n.none + n.reported + n.restored,
      drifted: n.reported + n.restored,
      restored: n.restored,
      pending: n.pending,
      missing: n.missing,
    });
    const state = await this.fleet.current();
    const mc = state.clusters.get(clusterName);
    const ready = mc?.status?.conditions.find((c) => c.type === 'Ready')?.status;
    if (!mc || ready === undefined || ready === 'Unknown') return { result: summary() }; // unreachable: nothing to read
    const client = this.clients.get(mc);
    const snapshot = toClusterSnapshot(mc);
    const items = await this.store.referrers(BINDING_TYPE, ALL_NAMESPACES, clusterReference(clusterName));
    const byKind = new Map<string, BindingObject[]>();
    for (const b of items as BindingObject[]) {
      if (!b.spec.clusters.some((c) => c.name === clusterName)) continue;
      const k = `${b.spec.resource.apiVersion}|${b.spec.resource.kind}`;
      const group = byKind.get(k);
      if (group) group.push(b);
      else byKind.set(k, [b]);
    }
    for (const bindings of byKind.values()) {
      const { apiVersion, kind } = bindings[0]!.spec.resource;
      const listed = await client.listByLabels(apiVersion, kind, {
        [OWNERSHIP.managedByLabel]: OWNERSHIP.managedByValue,
        [OWNERSHIP.clusterLabel]: clusterName,
      });
      const live = new Map(listed.map((o) => [`${o.metadata.namespace ?? ''}/${o.metadata.name}`, o]));
      // Bounded concurrency: the store reads and comparisons of a chunk overlap.
      for (let i = 0; i < bindings.length; i += SCAN_CONCURRENCY) {
        const chunk = bindings.slice(i, i + SCAN_CONCURRENCY);
        const results = await Promise.all(
          chunk.map((b) => this.check(b, { cluster: clusterName, client, snapshot, state, live, heals })),
        );
        for (const r of results) n[r]++;
      }
    }
    this.log.debug({ cluster: clusterName, ...summary() }, 'drift scan');
    return { result: summary(), followUps: heals };
  }

  /** Compares one binding's object in the cluster with its manifest. */
  private async check(
    b: BindingObject,
    ctx: {
      cluster: string;
      client: MemberClusterClient;
      snapshot: ClusterSnapshot;
      state: FleetState;
      live: ReadonlyMap<string, ManifestObject>;
      /** Propagation passes for objects found missing. */
      heals: JobRequest[];
    },
  ): Promise<DriftOutcome | 'pending' | 'missing' | 'skipped'> {
    const r = b.spec.resource;
    const bindingKey: ObjectKey = {
      type: BINDING_TYPE,
      namespace: b.metadata.namespace ?? '',
      name: b.metadata.name,
    };
    const [template, status] = await Promise.all([
      this.store.get({ type: r.type, namespace: r.namespace, name: r.name }),
      this.store.clusterStatus<BindingClusterStatus>(bindingKey, ctx.cluster),
    ]);
    if (!template) return 'skipped';
    const policy = ctx.state.policies.find((p) => p.name === b.spec.policy);
    const target = b.spec.clusters.find((c) => c.name === ctx.cluster);
    const manifest = renderManifest(template, policy?.spec, ctx.snapshot, target?.replicas, bindingKey);
    if (status?.phase !== 'Applied' || status.appliedHash !== manifestHash(manifest)) return 'pending';
    const obj = ctx.live.get(`${r.namespace}/${r.name}`);
    if (!obj) {
      ctx.heals.push(healJob(bindingKey, ctx.cluster, 'drift', this.now()));
      return 'missing';
    }
    if (
      obj.metadata.labels?.[OWNERSHIP.bindingHashLabel] !== bindingHash(bindingKey.namespace, bindingKey.name)
    )
      return 'skipped'; // labelled for another binding: not ours to judge
    return this.inspect(
      {
        bindingKey,
        cluster: ctx.cluster,
        client: ctx.client,
        manifest,
        live: obj,
        policy: policy?.spec.drift,
      },
      status,
    );
  }

  private async write(
    c: DriftCheck,
    prev: BindingClusterStatus,
    drift: ClusterDrift | undefined,
  ): Promise<BindingClusterStatus | undefined> {
    const lastUpdateTime = new Date(this.now()).toISOString();
    return updateClusterStatus(this.store, c.bindingKey, c.cluster, prev, (current) => {
      // A new manifest was applied since `prev` was read: what was found is about the old one.
      if (!current || current.appliedHash !== prev.appliedHash) return undefined;
      const { drift: _old, ...rest } = current;
      return { ...rest, ...(drift ? { drift } : {}), lastUpdateTime };
    });
  }
}

function samePaths(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((p, i) => p === b[i]);
}

/** A value short enough for a log line. */
function brief(v: unknown): unknown {
  if (v === undefined || v === null || typeof v !== 'object') return v;
  const s = JSON.stringify(v);
  return s.length <= 200 ? v : `${s.slice(0, 197)}...`;
}

/** JSON with object keys sorted, so equal objects hash equally whatever their key order. */
function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .filter((k) => o[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${stableJson(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}
