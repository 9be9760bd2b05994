/** Metadata every stored object carries, Kubernetes-style. */
export interface ObjectMeta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  [extra: string]: unknown;
}

/** Any Kubernetes-shaped object: a fedgate resource or a workload template. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

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
