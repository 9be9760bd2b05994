import { FedgateError } from '../errors/fedgate-error.js';
import {
  CLUSTER_SCOPED_KUBE_KINDS,
  FEDGATE_KINDS,
  type FedgateKind,
  type Scope,
} from '../resources/kinds.js';
import { isFedgateType, parseTypeKey, type ResourceType, typeKey } from '../resources/resource-type.js';

/** A type named in a URL, checked and resolved. */
export interface UrlType {
  /** Canonical type key (`Deployment.v1.apps`). */
  readonly key: string;
  readonly type: ResourceType;
  readonly scope: Scope;
  /** Set for fedgate's own kinds. */
  readonly fedgate?: FedgateKind;
}

/** Resolves a type key from a URL; `BadRequest` when malformed or naming a fedgate kind that does not exist. */
export function resolveUrlType(key: string): UrlType {
  const type = parseTypeKey(key);
  if (!isFedgateType(type)) {
    return {
      key: typeKey(type),
      type,
      scope: CLUSTER_SCOPED_KUBE_KINDS.has(type.kind) ? 'Cluster' : 'Namespaced',
    };
  }
  const info = FEDGATE_KINDS.get(type.kind);
  if (info === undefined || type.version !== 'v1alpha1') {
    const known = [...FEDGATE_KINDS.keys()].map((k) => `${k}.v1alpha1.fedgate.dev`).join(', ');
    throw new FedgateError('BadRequest', `unknown type "${key}" (fedgate types: ${known})`);
  }
  return { key: typeKey(type), type, scope: info.scope, fedgate: info };
}

/** Refuses a namespaced URL for a cluster-scoped type and the other way round. */
export function checkScope(t: UrlType, namespace: string | undefined): void {
  if (t.scope === 'Cluster' && namespace !== undefined) {
    throw new FedgateError(
      'BadRequest',
      `${t.type.kind} is cluster-scoped: use /api/v1/objects/${t.key}/… without a namespace`,
    );
  }
  if (t.scope === 'Namespaced' && namespace === undefined) {
    throw new FedgateError(
      'BadRequest',
      `${t.type.kind} is namespaced: use /api/v1/namespaces/NAMESPACE/objects/${t.key}/…`,
    );
  }
}
