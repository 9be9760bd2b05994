import type { Logger } from 'pino';
import { parseCpuMilli, parseMemoryBytes } from '../../placement/index.js';
import type { ClusterProbe } from '../../providers/member-cluster-client.js';
import { isProviderError, type ProviderError } from '../../providers/provider-error.js';
import type { Clock } from '../controller/context.js';
import type { Outcome } from '../controller/controller.js';
import type { BindingClusterStatus } from '../resources/binding.js';
import { BINDING_TYPE, MEMBER_CLUSTER_TYPE } from '../resources/kinds.js';
import type { ClusterResources, Condition, MemberClusterStatus } from '../resources/member-cluster.js';
import { ALL_NAMESPACES, clusterReference } from '../store/references.js';
import type { ResourceStore } from '../store/resource-store.js';
import { updateStatusFresh } from '../store/status-update.js';
import type { ClusterClients } from './cluster-clients.js';
import type { MemberClusterObject } from './cluster-snapshot.js';
import type { BindingObject } from './placement-reconciler.js';
import { placeAllTemplates } from './template-jobs.js';

/** What the health reconciler works with, and its tuning. */
export interface HealthDeps {
  readonly store: ResourceStore;
  readonly clients: ClusterClients;
  readonly clock: Clock;
  readonly log: Logger;
  /** Consecutive failed probes before a cluster turns Unknown (unreachable). Default 2. */
  readonly failureThreshold?: number;
}

/**
 * Probes one member cluster and records what it saw: a Ready condition, Kubernetes version, node
 * count, allocatable and available capacity. A Ready transition re-places every template, which
 * is how failover starts (the scheduler decides what moves, and when, from the taints).
 */
export class HealthReconciler {
  private readonly threshold: number;
  private readonly store: ResourceStore;
  private readonly clients: ClusterClients;
  private readonly log: Logger;
  private readonly now: () => number;

  constructor(deps: HealthDeps) {
    this.store = deps.store;
    this.clients = deps.clients;
    this.log = deps.log;
    this.now = () => deps.clock.now();
    this.threshold = deps.failureThreshold ?? 2;
  }

  /** Probes the cluster and returns its Ready condition status (and the re-placements a transition asks for). */
  async probe(name: string): Promise<Outcome<Condition['status'] | 'Deleted'>> {
    const key = { type: MEMBER_CLUSTER_TYPE, namespace: '', name };
    const mc = (await this.store.get(key)) as MemberClusterObject | undefined;
    if (!mc) return { result: 'Deleted' };
    const prev = mc.status;
    const prevReady = prev?.conditions.find((c) => c.type === 'Ready');
    const nowIso = new Date(this.now()).toISOString();
    let next: MemberClusterStatus;
    try {
      const probe = await this.clients.get(mc).probe();
      next = { ...summarize(probe), conditions: [], consecutiveFailures: 0, lastProbeTime: nowIso };
      const readyNodes = probe.nodes.filter((n) => n.ready).length;
      next.conditions = [
        condition(
          prevReady,
          readyNodes > 0 ? 'True' : 'False',
          readyNodes > 0 ? 'ClusterReady' : 'NoReadyNodes',
          readyNodes > 0
            ? `${readyNodes}/${probe.nodes.length} nodes ready`
            : 'the cluster has no Ready node',
          nowIso,
        ),
      ];
    } catch (err) {
      if (!isProviderError(err)) throw err;
      const failures = (prev?.consecutiveFailures ?? 0) + 1;
      const message = err.message;
      // Unreachable may pass (Unknown after `threshold` failures); a connection that cannot work
      // as configured (a broken kubeconfig, refused credentials) is NotReady at once, saying why.
      const broken = connectionProblem(err);
      next = {
        ...(prev ?? { conditions: [] }),
        consecutiveFailures: failures,
        lastProbeTime: nowIso,
        conditions: broken
          ? [condition(prevReady, 'False', broken, message, nowIso)]
          : failures >= this.threshold || !prevReady
            ? [condition(prevReady, 'Unknown', 'ClusterUnreachable', message, nowIso)]
            : (prev?.conditions ?? []),
      };
    }
    const replaced =
      prev?.clusterID !== undefined && next.clusterID !== undefined && prev.clusterID !== next.clusterID;
    // Same name and address, different cluster (rebuilt, or restored empty): what fedgate placed
    // there is gone. Its binding statuses say so before the new identity is recorded.
    if (replaced) await this.markReplaced(name, nowIso);
    await this.writeStatus(key, mc, next);
    const status = next.conditions.find((c) => c.type === 'Ready')?.status ?? 'Unknown';
    if (replaced) {
      this.log.warn(
        { cluster: name, from: prev?.clusterID, to: next.clusterID },
        'cluster identity changed; re-applying',
      );
      const id = next.clusterID?.slice(0, 8) ?? '';
      return {
        result: status,
        followUps: await placeAllTemplates(this.store, { kind: 'identity', cluster: name, id }),
      };
    }
    if (status !== (prevReady?.status ?? 'Unknown') || (prevReady === undefined && status === 'True')) {
      this.log.info(
        { cluster: name, from: prevReady?.status ?? 'none', to: status },
        'cluster readiness changed',
      );
      return {
        result: status,
        followUps: await placeAllTemplates(this.store, {
          kind: 'readiness',
          cluster: name,
          at: Date.parse(nowIso),
        }),
      };
    }
    return { result: status };
  }

  /**
   * Writes the probe's status compare-and-set, keeping what other controllers record beside it
   * (the cloud inventory and its condition) from a fresh read when the first write conflicts.
   */
  private async writeStatus(
    key: { type: string; namespace: string; name: string },
    read: MemberClusterObject,
    next: MemberClusterStatus,
  ): Promise<void> {
    await updateStatusFresh<MemberClusterObject>(
      this.store,
      key,
      (current): MemberClusterStatus => ({
        ...next,
        ...(current.status?.cloud ? { cloud: current.status.cloud } : {}),
        conditions: [
          ...next.conditions.filter((c) => c.type === 'Ready'),
          ...(current.status?.conditions ?? []).filter((c) => c.type !== 'Ready'),
        ],
      }),
      { first: read },
    );
  }

  /** Sets every binding status of a replaced cluster back to Pending: nothing is applied there any more. */
  private async markReplaced(cluster: string, nowIso: string): Promise<void> {
    const items = await this.store.referrers(BINDING_TYPE, ALL_NAMESPACES, clusterReference(cluster));
    for (const b of items as BindingObject[]) {
      if (!b.spec.clusters.some((c) => c.name === cluster)) continue;
      const status: BindingClusterStatus = {
        cluster,
        phase: 'Pending',
        message: 'the member cluster was replaced (new kube-system uid); re-applying',
        lastUpdateTime: nowIso,
      };
      await this.store.setClusterStatus(
        { type: BINDING_TYPE, namespace: b.metadata.namespace ?? '', name: b.metadata.name },
        cluster,
        status,
      );
    }
  }
}

/** The Ready reason of a connection no retry can fix, or undefined for one that may come back. */
function connectionProblem(err: ProviderError): string | undefined {
  if (err.code === 'Unauthorized') return 'Unauthorized';
  if (err.code === 'Invalid') return err.providerCode ?? 'ConnectionInvalid';
  return undefined;
}

function condition(
  prev: Condition | undefined,
  status: Condition['status'],
  reason: string,
  message: string,
  now: string,
): Condition {
  const same = prev?.status === status;
  return { type: 'Ready', status, reason, message, lastTransitionTime: same ? prev.lastTransitionTime : now };
}

/** Sums node allocatable (Ready nodes only) and subtracts what running pods request. */
function summarize(
  probe: ClusterProbe,
): Pick<MemberClusterStatus, 'kubernetesVersion' | 'nodes' | 'allocatable' | 'available'> {
  const allocatable: ClusterResources = { cpuMilli: 0, memoryBytes: 0, pods: 0 };
  for (const n of probe.nodes) {
    if (!n.ready) continue;
    allocatable.cpuMilli += parseCpuMilli(n.allocatable.cpu ?? '0');
    allocatable.memoryBytes += parseMemoryBytes(n.allocatable.memory ?? '0');
    allocatable.pods += Number.parseInt(n.allocatable.pods ?? '0', 10) || 0;
  }
  const used: ClusterResources = { cpuMilli: 0, memoryBytes: 0, pods: probe.podRequests.length };
  for (const containers of probe.podRequests) {
    for (const r of containers) {
      used.cpuMilli += parseCpuMilli(r.cpu ?? '0');
      used.memoryBytes += parseMemoryBytes(r.memory ?? '0');
    }
  }
  return {
    ...(probe.clusterID ? { clusterID: probe.clusterID } : {}),
    kubernetesVersion: probe.kubernetesVersion,
    nodes: probe.nodes.length,
    allocatable,
    available: {
      cpuMilli: Math.max(0, allocatable.cpuMilli - used.cpuMilli),
      memoryBytes: Math.max(0, allocatable.memoryBytes - used.memoryBytes),
      pods: Math.max(0, allocatable.pods - used.pods),
    },
  };
}
