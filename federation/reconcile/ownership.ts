import { createHash } from 'node:crypto';

/** The field manager fedgate uses for server-side apply in member clusters. */
export const FIELD_MANAGER = 'fedgate';

/** Labels and annotations fedgate puts on everything it creates in a member cluster. */
export const OWNERSHIP = {
  managedByLabel: 'app.kubernetes.io/managed-by',
  managedByValue: 'fedgate',
  /** A label value has at most 63 characters, so bindings are labelled by a hash of their key. */
  bindingHashLabel: 'fedgate.dev/binding-hash',
  bindingAnnotation: 'fedgate.dev/binding',
  templateGenerationAnnotation: 'fedgate.dev/template-generation',
  clusterLabel: 'fedgate.dev/cluster',
} as const;

/** The binding-hash label value of a binding: stable, 16 hex characters. */
export function bindingHash(namespace: string, binding: string): string {
  return createHash('sha256').update(`${namespace}/${binding}`).digest('hex').slice(0, 16);
}

/** The labels that select everything one binding placed in a member cluster. */
export function ownershipSelector(namespace: string, binding: string): Record<string, string> {
  return {
    [OWNERSHIP.managedByLabel]: OWNERSHIP.managedByValue,
    [OWNERSHIP.bindingHashLabel]: bindingHash(namespace, binding),
  };
}
