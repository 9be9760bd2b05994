/**
 * Which lists of the built-in kinds are associative, and by which keys. The real apiserver reads
 * this from the OpenAPI schema (`x-kubernetes-list-type: map`, `x-kubernetes-list-map-keys`,
 * `x-kubernetes-patch-merge-key`); the simulator keeps the handful that matter for workloads.
 * Strategic merge patch and server-side apply both use it; every other list is atomic, as it is
 * for custom resources without list-type annotations.
 */

const KEYS_BY_FIELD: Readonly<Record<string, readonly string[]>> = {
  containers: ['name'],
  initContainers: ['name'],
  ephemeralContainers: ['name'],
  env: ['name'],
  volumes: ['name'],
  volumeMounts: ['mountPath'],
  volumeDevices: ['devicePath'],
  imagePullSecrets: ['name'],
  conditions: ['type'],
  ownerReferences: ['uid'],
  hostAliases: ['ip'],
  topologySpreadConstraints: ['topologyKey', 'whenUnsatisfiable'],
};

/**
 * Map keys of the list at `path` (field names from the object root, list field last), or
 * undefined for an atomic list. `structured` is false for custom/unknown kinds.
 */
export function listMapKeys(path: readonly string[], structured: boolean): readonly string[] | undefined {
  if (!structured) return undefined;
  const field = path[path.length - 1];
  if (field === undefined) return undefined;
  if (field === 'ports') {
    // Container ports are keyed by containerPort+protocol, Service ports by port+protocol.
    const parent = path[path.length - 2];
    if (parent === 'spec' && path.length === 2) return ['port', 'protocol'];
    return ['containerPort', 'protocol'];
  }
  return KEYS_BY_FIELD[field];
}

/** The key values of a list item (missing key fields are skipped). */
export function itemKey(item: unknown, keys: readonly string[]): Record<string, unknown> | undefined {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) return undefined;
  const record = item as Record<string, unknown>;
  const key: Record<string, unknown> = {};
  let any = false;
  for (const k of keys) {
    if (record[k] !== undefined) {
      key[k] = record[k];
      any = true;
    }
  }
  return any ? key : undefined;
}

/** Canonical string of an item key, as used after `k:` in FieldsV1. */
export function keyString(key: Record<string, unknown>): string {
  const sorted: Record<string, unknown> = {};
  for (const k of Object.keys(key).sort()) sorted[k] = key[k];
  return JSON.stringify(sorted);
}
