/** Any Kubernetes-shaped object and its metadata: defined once, in placement/types.ts. */
export type { KubeObject, ObjectMeta } from '../../placement/index.js';

/** Where an object lives: its type key, namespace ('' when cluster-scoped) and name. */
export interface ObjectKey {
  readonly type: string;
  readonly namespace: string;
  readonly name: string;
}

/** `type/namespace/name`, or `type/name` for cluster-scoped objects: for logs and messages. */
export function formatKey(k: ObjectKey): string {
  return k.namespace === '' ? `${k.type}/${k.name}` : `${k.type}/${k.namespace}/${k.name}`;
}
