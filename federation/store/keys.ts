import type { ObjectKey } from '../resources/kube-object.js';

/**
 * The Redis key layout of one store, in one place (docs/architecture.md has the table). Every key
 * starts with the store's prefix in a hash tag (`{fg}`), so all of them share one Redis Cluster
 * slot and a Lua script may touch any of them. The layout is the one fedgate has always written:
 * a store from an earlier release is read as it is.
 */
export class StoreKeys {
  /** `{<prefix>}`, the hash tag every key starts with. */
  readonly prefix: string;

  constructor(prefix = 'fg') {
    this.prefix = `{${prefix}}`;
  }

  /** Hash of one object: `obj` (its JSON), `rv` (its resourceVersion), and one field per index it is in. */
  object(k: ObjectKey): string {
    return `${this.prefix}:o:${k.type}:${k.namespace}:${k.name}`;
  }

  /** Set of the `namespace|name` members of every object of a type. */
  typeIndex(type: string): string {
    return `${this.prefix}:i:${type}`;
  }

  /** Counter: the resourceVersion of the latest write. */
  get revision(): string {
    return `${this.prefix}:rv`;
  }

  /** Hash: type key → resourceVersion of that type's latest write. */
  get typeVersions(): string {
    return `${this.prefix}:tv`;
  }

  /** Stream of change events; an entry's id is `<resourceVersion>-0`. */
  get events(): string {
    return `${this.prefix}:events`;
  }

  /** Hash of what each member (a member cluster) reports about an object: member → JSON. */
  memberStatus(k: ObjectKey): string {
    return `${this.prefix}:cs:${k.type}:${k.namespace}:${k.name}`;
  }

  /** Prefix of an index's sets for a type: `<prefix><value>` holds the members indexed under value. */
  indexSetPrefix(index: string, type: string): string {
    return `${this.prefix}:${index}:${type}:`;
  }

  /** Marker: the index holds every object (objects written before it existed were backfilled). */
  indexComplete(index: string): string {
    return `${this.prefix}:${index}-indexed`;
  }

  /** Prefix of the workers' leases (e.g. `<lease>:workload-watch`). */
  get lease(): string {
    return `${this.prefix}:lease`;
  }
}

/** The member of a type's index set for an object: `namespace|name`. */
export function indexMember(k: ObjectKey): string {
  return `${k.namespace}|${k.name}`;
}

/** The key of the object of `type` that an index member names. */
export function memberKey(type: string, member: string): ObjectKey {
  const i = member.indexOf('|');
  return i < 0
    ? { type, namespace: member, name: '' }
    : { type, namespace: member.slice(0, i), name: member.slice(i + 1) };
}
