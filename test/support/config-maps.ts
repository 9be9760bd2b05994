import type { TestControlPlane } from './control-plane.js';

/** A policy placing every ConfigMap in every cluster. */
export const CONFIGMAPS_EVERYWHERE = {
  apiVersion: 'fedgate.dev/v1alpha1',
  kind: 'PlacementPolicy',
  metadata: { name: 'everywhere' },
  spec: {
    resourceSelectors: [{ apiVersion: 'v1', kind: 'ConfigMap' }],
    replicaScheduling: { type: 'Duplicated' },
  },
};

/** A ConfigMap `name` in namespace `app` holding one value. */
export function configMap(name: string, value: string) {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'app' }, data: { value } };
}

/** The value the ConfigMap `name` of namespace `app` holds in a simulated member cluster, if there. */
export function configMapValue(cp: TestControlPlane, cluster: string, name: string): string | undefined {
  const obj = cp.sims.get(cluster)!.object('v1/configmaps', 'app', name) as
    | { data?: { value?: string } }
    | undefined;
  return obj?.data?.value;
}
