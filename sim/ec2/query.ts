/**
 * Reads the EC2 query protocol's flattened parameters: `VpcId.1`, `Filter.1.Name` /
 * `Filter.1.Value.1`, `TagSpecification.1.ResourceType` / `.Tag.1.Key`, scalars.
 */
import { invalidValue, missingParameter } from './errors.js';

/** The decoded form parameters of one request. */
export class QueryParams {
  readonly #p: ReadonlyMap<string, string>;

  constructor(body: string) {
    this.#p = new Map(new URLSearchParams(body));
  }

  get action(): string | undefined {
    return this.#p.get('Action');
  }

  get(name: string): string | undefined {
    return this.#p.get(name);
  }

  required(name: string): string {
    const v = this.#p.get(name);
    if (v === undefined || v === '') throw missingParameter(name);
    return v;
  }

  bool(name: string): boolean | undefined {
    const v = this.#p.get(name);
    return v === undefined ? undefined : v === 'true';
  }

  int(name: string): number | undefined {
    const v = this.#p.get(name);
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n)) throw invalidValue(name, v);
    return n;
  }

  /** `Name.1`, `Name.2`, … in order. */
  list(name: string): string[] {
    const out: string[] = [];
    for (let i = 1; ; i++) {
      const v = this.#p.get(`${name}.${i}`);
      if (v === undefined) return out;
      out.push(v);
    }
  }

  /** `Filter.N.Name` with its `Filter.N.Value.M`. */
  filters(): { name: string; values: string[] }[] {
    const out: { name: string; values: string[] }[] = [];
    for (let i = 1; ; i++) {
      const name = this.#p.get(`Filter.${i}.Name`);
      if (name === undefined) return out;
      out.push({ name, values: this.list(`Filter.${i}.Value`) });
    }
  }

  /** Tags of `TagSpecification.N` for one resource type (`vpc-peering-connection`, `snapshot`, …). */
  tagsFor(resourceType: string): Map<string, string> {
    const tags = new Map<string, string>();
    for (let i = 1; ; i++) {
      const type = this.#p.get(`TagSpecification.${i}.ResourceType`);
      if (type === undefined) return tags;
      if (type !== resourceType) continue;
      for (let j = 1; ; j++) {
        const key = this.#p.get(`TagSpecification.${i}.Tag.${j}.Key`);
        if (key === undefined) break;
        tags.set(key, this.#p.get(`TagSpecification.${i}.Tag.${j}.Value`) ?? '');
      }
    }
  }

  /** Every parameter except the idempotency token, for comparing two requests with one ClientToken. */
  fingerprint(): string {
    return [...this.#p]
      .filter(([k]) => k !== 'ClientToken')
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => `${k}=${v}`)
      .join('&');
  }
}
