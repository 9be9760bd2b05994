import { isDeepStrictEqual } from 'node:util';
import type { KubeObject, ObjectKey } from '../resources/kube-object.js';
import { isFedgateType, parseTypeKey } from '../resources/resource-type.js';

/**
 * The rules of server-owned metadata, Kubernetes-style, as pure functions: a new object gets a uid,
 * generation 1 and a creation time; `generation` goes up when the spec changes (for templates:
 * anything that reaches member clusters, labels and annotations included) and never for status;
 * a write that changes nothing is no write.
 */

/** The part of an object whose change bumps `generation`. */
export function generationBasis(key: ObjectKey, obj: KubeObject): unknown {
  const { metadata, status: _s, ...rest } = obj;
  if (isFedgateType(parseTypeKey(key.type))) return rest.spec;
  return { ...rest, labels: metadata.labels ?? {}, annotations: metadata.annotations ?? {} };
}

/** The object as created: server-owned metadata set, with or without the given status. */
export function created(object: KubeObject, uid: string, now: Date, keepStatus: boolean): KubeObject {
  const metadata = { ...object.metadata, uid, generation: 1, creationTimestamp: now.toISOString() };
  if (keepStatus) return { ...object, metadata };
  const { status: _drop, ...rest } = object;
  return { ...rest, metadata };
}

/**
 * `object` written over `prev`: server-owned metadata carried over, generation bumped when the
 * spec changed, and the status `prev` had (an update) or the one `object` has (`ownStatus`, a
 * whole-object save). Undefined when nothing would change.
 */
export function successor(
  key: ObjectKey,
  prev: KubeObject,
  object: KubeObject,
  ownStatus: boolean,
): KubeObject | undefined {
  const changed = !isDeepStrictEqual(generationBasis(key, prev), generationBasis(key, object));
  const { status, ...rest } = object;
  const metadata = {
    ...object.metadata,
    uid: prev.metadata.uid,
    creationTimestamp: prev.metadata.creationTimestamp,
    generation: (prev.metadata.generation ?? 1) + (changed ? 1 : 0),
  };
  const keptStatus = ownStatus ? status : prev.status;
  const next: KubeObject = { ...rest, metadata, ...(keptStatus === undefined ? {} : { status: keptStatus }) };
  return isDeepStrictEqual(withoutRv(next), withoutRv(prev)) ? undefined : next;
}

/** True when `next` differs from `prev` in its status only. */
export function statusOnlyChange(prev: KubeObject, next: KubeObject): boolean {
  const { status: _n, ...nextSpec } = withoutRv(next);
  const { status: _c, ...prevSpec } = withoutRv(prev);
  return isDeepStrictEqual(nextSpec, prevSpec);
}

/** The object without its resourceVersion (which every write changes). */
export function withoutRv(o: KubeObject): KubeObject {
  const { resourceVersion: _rv, ...meta } = o.metadata;
  return { ...o, metadata: meta as KubeObject['metadata'] };
}
