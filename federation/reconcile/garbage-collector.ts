import type { Logger } from 'pino';
import { BINDING_TYPE, MEMBER_CLUSTER_TYPE } from '../resources/kinds.js';
import { apiVersionOf, parseTypeKey } from '../resources/resource-type.js';
import type { ResourceStore } from '../store/resource-store.js';
import type { ClusterClients } from './cluster-clients.js';
import type { MemberClusterObject } from './cluster-snapshot.js';
import { bindingHash, OWNERSHIP } from './ownership.js';
import type { BindingObject } from './placement-reconciler.js';
import { templateTypes } from './template-jobs.js';

/**
 * Finds objects fedgate placed in a member cluster whose Binding no longer places them there
 * (a prune lost to a crash, a binding deleted by hand) and deletes them. Only objects carrying
 * fedgate's labels, with a binding hash that matches their binding annotation, are ever touched.
 */
export class GarbageCollector {
  private readonly store: ResourceStore;
  private readonly clients: ClusterClients;
  private readonly log: Logger;

  constructor(deps: {
    readonly store: ResourceStore;
    readonly clients: ClusterClients;
    readonly log: Logger;
  }) {
    this.store = deps.store;
    this.clients = deps.clients;
    this.log = deps.log;
  }

  /** Collects orphans in one cluster; returns how many objects were deleted. */
  async collect(clusterName: string): Promise<number> {
    const mc = (await this.store.get({ type: MEMBER_CLUSTER_TYPE, namespace: '', name: clusterName })) as
      | MemberClusterObject
      | undefined;
    if (!mc) return 0;
    const client = this.clients.get(mc);
    let deleted = 0;
    for (const type of await templateTypes(this.store)) {
      const t = parseTypeKey(type);
      const objects = await client.listByLabels(apiVersionOf(t), t.kind, {
        [OWNERSHIP.managedByLabel]: OWNERSHIP.managedByValue,
        [OWNERSHIP.clusterLabel]: clusterName,
      });
      for (const obj of objects) {
        const owner = obj.metadata.annotations?.[OWNERSHIP.bindingAnnotation] ?? '';
        const [ns = '', name = ''] = owner.split('/');
        if (obj.metadata.labels?.[OWNERSHIP.bindingHashLabel] !== bindingHash(ns, name)) continue;
        const binding = (await this.store.get({ type: BINDING_TYPE, namespace: ns, name })) as
          | BindingObject
          | undefined;
        const placedHere =
          binding?.spec.clusters.some((c) => c.name === clusterName) ||
          binding?.spec.evictions?.some((e) => e.cluster === clusterName);
        if (placedHere) continue;
        const ref = {
          apiVersion: obj.apiVersion,
          kind: obj.kind,
          name: obj.metadata.name,
          ...(obj.metadata.namespace ? { namespace: obj.metadata.namespace } : {}),
        };
        if (await client.delete(ref)) {
          deleted++;
          this.log.info({ cluster: clusterName, object: ref, binding: owner }, 'garbage-collected orphan');
        }
      }
    }
    return deleted;
  }
}
