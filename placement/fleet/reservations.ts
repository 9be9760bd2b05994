/**
 * Capacity accounting between health probes, and the descheduler's rule. Pure.
 *
 * A cluster's `available` is what its last probe saw free. Replicas placed there since, or placed
 * but not running yet, are not in it: a burst of decisions (a failover re-placing hundreds of
 * templates) would all see the same free room and pile onto one cluster. So the scheduler takes off
 * `available` what is committed but not reported: for every copy placed in a cluster, the replicas
 * it does not report ready yet (`inFlight`). Ready replicas hold capacity the probe counts.
 *
 * Replicas a cluster leaves unready for long while it has no room for them are unschedulable there
 * (Pending: "Too many pods"): like Karmada's descheduler, placement then takes them off that
 * cluster so they are placed elsewhere, whatever stability's gain threshold says (`descheduled`).
 */
import type { ResourceAmounts, TargetCluster } from '../types.js';
import { replicaCapacity } from './snapshot.js';

/** Default failover.unschedulableSeconds (Karmada's descheduler waits 5 minutes too). */
export const DEFAULT_UNSCHEDULABLE_SECONDS = 300;

/** One template's copy in one cluster, as placed and as reported. */
export interface PlacedCopy {
  readonly cluster: string;
  /** Replicas placed there. */
  readonly replicas: number;
  /** Replicas the cluster reports ready. */
  readonly ready: number;
  /** What one replica requests (absent: pods only). */
  readonly requests?: { readonly cpuMilli: number; readonly memoryBytes: number };
  /** When the ready count was last seen to change (epoch ms). */
  readonly readyAt?: number;
}

/**
 * Per cluster: what copies placed there hold beyond what the cluster's capacity report counts.
 * A ready replica holds capacity the cluster's probe counts, but only a probe taken after it became
 * ready (`probedAt`, epoch ms per cluster): a copy whose ready count changed since counts whole.
 */
export function inFlight(
  copies: Iterable<PlacedCopy>,
  probedAt?: (cluster: string) => number | undefined,
): Map<string, ResourceAmounts> {
  const out = new Map<string, ResourceAmounts>();
  for (const c of copies) {
    const probe = probedAt?.(c.cluster);
    const reported = probe === undefined || c.readyAt === undefined || c.readyAt <= probe;
    const pending = Math.max(0, c.replicas - (reported ? Math.max(0, c.ready) : 0));
    if (pending === 0) continue;
    let r = out.get(c.cluster);
    if (r === undefined) {
      r = { cpuMilli: 0, memoryBytes: 0, pods: 0 };
      out.set(c.cluster, r);
    }
    r.pods += pending;
    r.cpuMilli += pending * (c.requests?.cpuMilli ?? 0);
    r.memoryBytes += pending * (c.requests?.memoryBytes ?? 0);
  }
  return out;
}

/** What a cluster reports about a template's copy there. */
export interface CopyReport {
  readonly ready: number;
  /** Since when fewer replicas than placed are ready (ISO); absent when all are. */
  readonly unreadySince?: string;
}

/** Replicas taken off a cluster because it cannot run them. */
export interface Descheduled {
  readonly cluster: string;
  readonly replicas: number;
  readonly since: string;
}

/**
 * The previous placement without the replicas each cluster has left unready for `timeoutMs` while
 * its reported room (`available`) cannot take them: the cluster keeps its ready replicas, the rest
 * are placed anew. Clusters left with none drop out. Returns the placement and what was taken off.
 */
export function descheduled(
  previous: readonly TargetCluster[],
  reports: ReadonlyMap<string, CopyReport>,
  available: (cluster: string) => ResourceAmounts | undefined,
  requests: { cpuMilli: number; memoryBytes: number } | undefined,
  now: number,
  timeoutMs: number,
): { clusters: TargetCluster[]; descheduled: Descheduled[] } {
  const clusters: TargetCluster[] = [];
  const taken: Descheduled[] = [];
  for (const c of previous) {
    const report = reports.get(c.name);
    const short = c.replicas === undefined || report === undefined ? 0 : c.replicas - report.ready;
    const since = report?.unreadySince;
    const stuck =
      short > 0 &&
      since !== undefined &&
      now - Date.parse(since) >= timeoutMs &&
      replicaCapacity(available(c.name), requests) < short;
    if (!stuck) {
      clusters.push(c);
      continue;
    }
    taken.push({ cluster: c.name, replicas: short, since: since! });
    const ready = Math.max(0, report!.ready);
    if (ready > 0) clusters.push({ name: c.name, replicas: ready });
  }
  return { clusters, descheduled: taken };
}
