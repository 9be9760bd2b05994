import { isProviderError } from '../../../providers/provider-error.js';
import { clusterNetworkId, summarizeInventory } from '../../cloud/inventory-summary.js';
import type { ControllerContext } from '../../controller/context.js';
import { FedgateError } from '../../errors/fedgate-error.js';
import type { MemberClusterObject } from '../../reconcile/cluster-snapshot.js';
import { MEMBER_CLUSTER_TYPE } from '../../resources/kinds.js';
import type { Condition, MemberClusterStatus } from '../../resources/member-cluster.js';
import { updateStatusFresh } from '../../store/status-update.js';

/** What one discovery did. */
export type DiscoveryResult = 'Discovered' | 'NoCloudSide' | 'Failed' | 'Deleted';

/**
 * Discovers one cluster's cloud inventory and records it, with the CloudInventory condition. A
 * provider error that retrying cannot help (missing or bad credentials, no such network) is
 * recorded as the condition's reason and message, naming the provider and what to set; a
 * retryable one is thrown for the queue to retry.
 */
export async function discoverInventory(name: string, ctx: ControllerContext): Promise<DiscoveryResult> {
  const key = { type: MEMBER_CLUSTER_TYPE, namespace: '', name };
  const mc = (await ctx.store.get(key)) as MemberClusterObject | undefined;
  if (!mc) return 'Deleted';
  const cloud = mc.spec.cloud;
  if (!cloud) return 'NoCloudSide';
  const now = new Date(ctx.clock.now()).toISOString();
  try {
    if (!ctx.cloud) throw new FedgateError('Invalid', 'this worker has no cloud providers configured');
    const adapter = await ctx.cloud.forCluster(mc);
    const inventory = adapter?.inventory;
    if (!adapter || !inventory)
      throw new FedgateError('Invalid', `the ${mc.spec.provider} adapter has no inventory capability`);
    const before = { ...adapter.callCounts() };
    const instances = await inventory.listClusterInstances({
      clusterName: cloud.clusterName ?? name,
      ...(cloud.nodeResourceGroup ? { nodeResourceGroup: cloud.nodeResourceGroup } : {}),
    });
    const networkId = cloud.networkId ?? clusterNetworkId(instances);
    const network = networkId ? await inventory.getNetwork(networkId) : undefined;
    const after = adapter.callCounts();
    const calls = Object.fromEntries(
      Object.entries(after)
        .map(([op, n]) => [op, n - (before[op] ?? 0)] as const)
        .filter(([, n]) => n > 0),
    );
    const found = summarizeInventory(instances, network, now, calls);
    const zones = Object.keys(found.zones).length;
    await writeInventory(ctx, key, (prev) => ({
      ...prev,
      cloud: found,
      conditions: withCondition(prev.conditions, {
        type: 'CloudInventory',
        status: 'True',
        reason: 'Discovered',
        message: `${instances.length} instances in ${zones} zone(s)${network ? `, network ${network.name} (${network.cidrs.join(', ')})` : ''}`,
        lastTransitionTime: now,
      }),
    }));
    return 'Discovered';
  } catch (err) {
    if (isProviderError(err) && err.retryable) throw err;
    const reason = isProviderError(err) ? `Cloud${err.code}` : 'CloudInventoryFailed';
    const why = err instanceof Error ? err.message : String(err);
    // Named once: errors that already start with the provider keep their own wording.
    const message = why.startsWith(`${mc.spec.provider}:`) ? why : `${mc.spec.provider}: ${why}`;
    ctx.log.warn({ cluster: name, reason, message }, 'cloud inventory discovery failed');
    await writeInventory(ctx, key, (prev) => ({
      ...prev,
      conditions: withCondition(prev.conditions, {
        type: 'CloudInventory',
        status: 'False',
        reason,
        message,
        lastTransitionTime: now,
      }),
    }));
    return 'Failed';
  }
}

/** Compare-and-set on the MemberCluster's status, recomputed from a fresh read on conflict. */
async function writeInventory(
  ctx: ControllerContext,
  key: { type: string; namespace: string; name: string },
  change: (prev: MemberClusterStatus) => MemberClusterStatus,
): Promise<void> {
  await updateStatusFresh<MemberClusterObject>(ctx.store, key, (mc) =>
    change(mc.status ?? { conditions: [] }),
  );
}

/** Sets a condition, keeping its transition time when its status did not change. */
function withCondition(conditions: readonly Condition[], next: Condition): Condition[] {
  const prev = conditions.find((c) => c.type === next.type);
  const kept = prev?.status === next.status ? { ...next, lastTransitionTime: prev.lastTransitionTime } : next;
  return [...conditions.filter((c) => c.type !== next.type), kept];
}
