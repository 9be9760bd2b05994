import type { KubeObject, ObjectKey } from '../resources/kube-object.js';

/**
 * How objects are kept at rest: `seal` gives the form written to Redis (object hash and change
 * feed alike), `open` the object again. The store's codec seals Secret data (see
 * encryption/secret-codec.ts); every other object is stored as it is.
 */
export interface ObjectCodec {
  /** The stored form of `object`, kept under `key`; throws a FedgateError when it may not be stored. */
  seal(key: ObjectKey, object: KubeObject): KubeObject;
  /** The object from its stored form; throws a FedgateError when it cannot be read back. */
  open(key: ObjectKey, stored: KubeObject): KubeObject;
  /** Whether a stored form is what `seal` writes now (false: sealed with an older key; rewrite it). */
  current(key: ObjectKey, stored: KubeObject): boolean;
}
