/**
 * The arguments of the store's write script (scripts.ts WRITE_SCRIPT) for one write, and the
 * store's errors for its error replies: shared by single writes and pipelined ones (applyMany).
 */
import { randomBytes } from 'node:crypto';
import { FedgateError } from '../errors/fedgate-error.js';
import type { KubeObject, ObjectKey } from '../resources/kube-object.js';
import { formatKey } from '../resources/kube-object.js';
import type { ObjectCodec } from './codec.js';
import type { IndexRegistry } from './indexes.js';
import { indexMember, type StoreKeys } from './keys.js';

/** A change event's type. */
export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** What a write needs of the store besides its connection. */
export interface WriteParts {
  readonly keys: StoreKeys;
  readonly codec: ObjectCodec;
  readonly indexes: IndexRegistry;
  /** Approximate length the change stream is trimmed to on each write. */
  readonly retention: number;
}

/** The write script's arguments (see WRITE_SCRIPT) for one write, and the resourceVersion it expects. */
export function writeScriptArgs(
  p: WriteParts,
  mode: 'create' | 'update' | 'delete',
  key: ObjectKey,
  object: KubeObject | undefined,
  expectedRv: string,
  eventType: EventType,
  subresource: '' | 'status',
): { readonly argv: string[]; readonly expectedRv: string } {
  const token = `__rv_${randomBytes(12).toString('hex')}__`;
  const body =
    object === undefined
      ? ''
      : JSON.stringify(
          p.codec.seal(key, { ...object, metadata: { ...object.metadata, resourceVersion: token } }),
        );
  const indexArgs: string[] = [];
  const indexes = p.indexes.forType(key.type);
  for (const ix of indexes) {
    const values = object === undefined ? [] : ix.valuesOf(key.type, object);
    indexArgs.push(p.keys.indexSetPrefix(ix.name, key.type), ix.field, String(values.length), ...values);
  }
  const argv = [
    p.keys.object(key),
    p.keys.typeIndex(key.type),
    p.keys.revision,
    p.keys.events,
    p.keys.memberStatus(key),
    p.keys.typeVersions,
    mode,
    expectedRv,
    body,
    token,
    indexMember(key),
    eventType,
    String(p.retention),
    subresource,
    key.type,
    String(indexes.length),
    ...indexArgs,
  ];
  return { argv, expectedRv };
}

/** The store's error for a write script's error reply (other errors as they are). */
export function writeScriptError(err: unknown, key: ObjectKey, expectedRv: string): unknown {
  const msg = (err instanceof Error ? err.message : String(err)).replace(/^ERR /, '');
  if (msg.startsWith('AlreadyExists'))
    return new FedgateError('AlreadyExists', `${formatKey(key)} already exists`);
  if (msg.startsWith('NotFound')) return notFound(key);
  if (msg.startsWith('Conflict')) {
    return new FedgateError(
      'Conflict',
      `${formatKey(key)} was changed by someone else (stored resourceVersion ${msg.slice(9)}, yours ${expectedRv}); read it again and retry`,
    );
  }
  return err;
}

/** `NotFound` for an object. */
export function notFound(key: ObjectKey): FedgateError {
  return new FedgateError('NotFound', `${formatKey(key)} not found`);
}
