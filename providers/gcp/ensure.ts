/** Create-if-absent and delete-if-present over Compute's asynchronous operations. */
import type { WaitOptions } from '../cloud/adapter.js';
import { isProviderError, ProviderError } from '../provider-error.js';
import type { GcpApi, Operation } from './gcp-api.js';
import { requestIdFor } from './ids.js';

/** What `ensureResource` needs to find and make one resource. */
export interface EnsureSpec<T> {
  /** Names the resource in messages (`network peering p1`). */
  readonly what: string;
  /** The logical create's identity: its requestId derives from it. */
  readonly key: string;
  readonly get: () => Promise<T | undefined>;
  readonly insert: (requestId: string) => Promise<Operation>;
}

/** The Operation of an insert/delete answer (`[{latestResponse}]` from the SDK). */
export function opOf(lro: { latestResponse?: unknown } | undefined): Operation {
  return (lro?.latestResponse ?? {}) as Operation;
}

/** How many earlier lives of one name (created and deleted while GCE remembers their requestIds) are walked past. */
const MAX_LIVES = 16;

/**
 * Returns the resource if it exists, else inserts it with a stable requestId and waits for the
 * operation. A requestId GCE still remembers from an earlier life of the same name (created,
 * deleted, now created again) answers with that old, DONE operation: when the resource is then
 * still absent, the insert is made once more with a requestId derived from the chain of old
 * operations, so each life has its own requestId, the same on every retry of that life.
 */
export async function ensureResource<T>(
  api: GcpApi,
  spec: EnsureSpec<T>,
  opts: WaitOptions = {},
): Promise<T> {
  const existing = await spec.get();
  if (existing !== undefined) return existing;
  let key = spec.key;
  for (let round = 0; round < MAX_LIVES; round++) {
    let op: Operation;
    try {
      op = await spec.insert(requestIdFor(key));
    } catch (err) {
      if (!isProviderError(err, 'Conflict') || err.providerCode !== 'alreadyExists') throw err;
      const raced = await spec.get();
      if (raced !== undefined) return raced;
      throw err;
    }
    await api.waitFor(op, spec.what, opts);
    const made = await spec.get();
    if (made !== undefined) return made;
    key = `${key}#${op.name ?? ''}`;
  }
  throw new ProviderError(
    'Internal',
    `${spec.what}: the insert operation completed but the resource is absent`,
    {
      provider: 'gcp',
    },
  );
}

/** Deletes a resource and waits; one that is already gone is a success. */
export async function deleteResource(
  api: GcpApi,
  what: string,
  del: () => Promise<Operation>,
  opts: WaitOptions = {},
): Promise<void> {
  let op: Operation;
  try {
    op = await del();
  } catch (err) {
    if (isProviderError(err, 'NotFound')) return;
    throw err;
  }
  try {
    await api.waitFor(op, what, opts);
  } catch (err) {
    if (!isProviderError(err, 'NotFound')) throw err;
  }
}
