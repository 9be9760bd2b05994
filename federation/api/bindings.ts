import type { BindingClusterStatus } from '../resources/binding.js';
import { BINDING_TYPE } from '../resources/kinds.js';
import type { KubeObject, ObjectKey } from '../resources/kube-object.js';
import type { ResourceStore } from '../store/resource-store.js';

/**
 * Merges the per-cluster status the propagation workers record apart from a Binding into its
 * `status.clusters`, so readers see one object. Other kinds pass through.
 */
export async function withClusterStatuses(
  store: ResourceStore,
  key: ObjectKey,
  obj: KubeObject,
): Promise<KubeObject> {
  if (key.type !== BINDING_TYPE) return obj;
  const clusters = await store.clusterStatuses<BindingClusterStatus>(key);
  const status = (typeof obj.status === 'object' && obj.status !== null ? obj.status : {}) as Record<
    string,
    unknown
  >;
  return { ...obj, status: { ...status, clusters } };
}

/** The same for every item of a list. */
export async function listWithClusterStatuses(
  store: ResourceStore,
  type: string,
  items: KubeObject[],
): Promise<KubeObject[]> {
  if (type !== BINDING_TYPE) return items;
  return Promise.all(
    items.map((o) =>
      withClusterStatuses(store, { type, namespace: o.metadata.namespace ?? '', name: o.metadata.name }, o),
    ),
  );
}
