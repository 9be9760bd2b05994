import type { KubeObject } from '../resources/kube-object.js';

/**
 * A secondary index the store keeps for one or more kinds, so "which objects hold value V" is one
 * set read rather than a scan. Every write of an indexed kind moves the object between the sets of
 * its old and new values in the same Lua script as the write itself, so the index is never behind.
 *
 * Redis keys (see keys.ts): a set `{fg}:<name>:<type>:<value>` of `namespace|name` members per
 * value, the object's values in field `<field>` of its hash (one per line), and the marker
 * `{fg}:<name>-indexed` once objects written before the index existed were backfilled.
 */
export interface IndexDefinition {
  /** Names the index in its keys; stable once data is written with it. */
  readonly name: string;
  /** The field of the object hash that lists the object's values. */
  readonly field: string;
  /** Whether objects of this type key are indexed. */
  indexes(type: string): boolean;
  /** The values `object` is indexed under, sorted and without repeats; [] for none. */
  valuesOf(type: string, object: KubeObject): string[];
}

/** The indexes of a store, looked up by name and by the kind they index. */
export class IndexRegistry {
  private readonly byName = new Map<string, IndexDefinition>();

  constructor(definitions: readonly IndexDefinition[] = []) {
    for (const d of definitions) this.register(d);
  }

  /**
   * Adds an index. Every process that writes the kinds it indexes (API servers and workers) must
   * register it, or their writes leave it behind; a store written before it existed is completed
   * by `Indexes.backfill`.
   */
  register(definition: IndexDefinition): void {
    if (!/^[a-z][a-z0-9-]*$/.test(definition.name))
      throw new Error(`index name "${definition.name}" must be lower-case letters, digits and dashes`);
    if (this.byName.has(definition.name)) throw new Error(`index "${definition.name}" is registered already`);
    this.byName.set(definition.name, definition);
  }

  /** The index called `name`; throws when none is. */
  get(name: string): IndexDefinition {
    const d = this.byName.get(name);
    if (!d) throw new Error(`no index "${name}" is registered`);
    return d;
  }

  /** The indexes that hold objects of `type`. */
  forType(type: string): IndexDefinition[] {
    return [...this.byName.values()].filter((d) => d.indexes(type));
  }
}
