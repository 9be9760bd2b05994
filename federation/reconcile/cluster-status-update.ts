import type { BindingClusterStatus } from '../resources/binding.js';
import type { ObjectKey } from '../resources/kube-object.js';
import type { ResourceStore } from '../store/resource-store.js';

/** How often a status update is recomputed on a fresh read before it gives up. */
const ATTEMPTS = 8;

/**
 * Updates one cluster's status of a binding from the value the caller read, as a compare-and-set:
 * a propagation pass and a drift scan may write the same status at once, and each keeps fields the
 * other owns (the applied hash, the drift found), so a write based on a stale read would undo the
 * other's. On a conflict `next` is recomputed from the status stored now (which the failed write
 * returns); `next` returning undefined leaves the status as it is. Returns the status as it
 * stands afterwards (undefined when the binding is gone).
 */
export async function updateClusterStatus(
  store: ResourceStore,
  key: ObjectKey,
  cluster: string,
  read: BindingClusterStatus | undefined,
  next: (current: BindingClusterStatus | undefined) => BindingClusterStatus | undefined,
): Promise<BindingClusterStatus | undefined> {
  let current = read;
  for (let attempt = 1; ; attempt++) {
    const status = next(current);
    if (status === undefined) return current;
    const r = await store.memberStatus.compareAndSet(key, cluster, current, status);
    if (r.outcome === 'changed' || r.outcome === 'unchanged') return status;
    if (r.outcome === 'gone') return undefined;
    if (attempt >= ATTEMPTS)
      throw new Error(
        `status of ${key.namespace}/${key.name} in ${cluster} kept changing; giving up for now`,
      );
    // The status as the conflict found it stored (no read of its own).
    current = r.current;
  }
}
