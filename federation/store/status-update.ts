import { FedgateError } from '../errors/fedgate-error.js';
import type { KubeObject, ObjectKey } from '../resources/kube-object.js';
import type { ResourceStore } from './resource-store.js';

/**
 * Writes an object's status compare-and-set: `change` computes the new status from the object as
 * stored, and runs again on a fresh read when another writer got there first, so writers of
 * different parts of one status (a health probe, inventory discovery) never undo each other.
 * Resolves with the object written, or undefined when it does not exist (any more).
 */
export async function updateStatusFresh<O extends KubeObject>(
  store: ResourceStore,
  key: ObjectKey,
  change: (current: O) => unknown,
  opts: { readonly first?: O; readonly attempts?: number } = {},
): Promise<O | undefined> {
  let current = opts.first ?? ((await store.get(key)) as O | undefined);
  for (let attempt = 1; current; attempt++) {
    try {
      return (await store.updateStatus(key, change(current), {
        resourceVersion: current.metadata.resourceVersion!,
      })) as O;
    } catch (err) {
      if (!(err instanceof FedgateError && err.code === 'Conflict') || attempt >= (opts.attempts ?? 10))
        throw err;
    }
    current = (await store.get(key)) as O | undefined;
  }
  return undefined;
}
