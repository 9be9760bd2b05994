/**
 * Selection as the Describe* actions do it: ids (each must exist), Filters (named per resource
 * kind, plus `tag:Key`, `tag-key` and `tag-value`, values with `*` and `?` wildcards, filters
 * ANDed, values ORed), and pagination with MaxResults/NextToken.
 */
import { Ec2Error, invalidValue } from './errors.js';
import type { Owned } from './model.js';
import type { QueryParams } from './query.js';

/** A resource's values for a named filter; undefined when the kind has no such filter. */
export type FilterValues<T> = (
  resource: T,
  filterName: string,
) => readonly (string | undefined)[] | undefined;

/** Keeps the resources every filter of the request matches; an unknown filter name is InvalidParameterValue. */
export function applyFilters<T extends Owned>(
  items: readonly T[],
  params: QueryParams,
  valuesOf: FilterValues<T>,
): T[] {
  const filters = params.filters();
  return items.filter((r) =>
    filters.every((f) => {
      const have = filterValues(r, f.name, valuesOf);
      if (have === undefined)
        throw new Ec2Error('InvalidParameterValue', `The filter '${f.name}' is invalid`);
      return f.values.some((want) => have.some((v) => v !== undefined && wildcard(want).test(v)));
    }),
  );
}

function filterValues<T extends Owned>(
  r: T,
  name: string,
  valuesOf: FilterValues<T>,
): readonly (string | undefined)[] | undefined {
  if (name.startsWith('tag:')) return [r.tags.get(name.slice(4))];
  if (name === 'tag-key') return [...r.tags.keys()];
  if (name === 'tag-value') return [...r.tags.values()];
  if (name === 'owner-id') return [r.account];
  return valuesOf(r, name);
}

function wildcard(pattern: string): RegExp {
  const body = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}

/**
 * The resources named by `ids` (all of them must exist in `items`, else `<notFoundCode>` naming
 * the first missing one), or all items when no id is given.
 */
export function byIds<T extends Owned>(
  items: readonly T[],
  ids: readonly string[],
  notFound: (id: string) => Ec2Error,
): T[] {
  if (ids.length === 0) return [...items];
  return ids.map((id) => {
    const found = items.find((r) => r.id === id);
    if (!found) throw notFound(id);
    return found;
  });
}

/** One page of `items` by MaxResults (5–1000) and NextToken; ids and MaxResults together are refused as EC2 does. */
export function paginate<T>(
  items: readonly T[],
  params: QueryParams,
  hasIds: boolean,
): { page: T[]; nextToken?: string } {
  const max = params.int('MaxResults');
  const token = params.get('NextToken');
  if (max !== undefined && hasIds)
    throw new Ec2Error(
      'InvalidParameterCombination',
      'The parameter MaxResults cannot be used with the parameter of resource ids',
    );
  if (max !== undefined && (max < 5 || max > 1000))
    throw invalidValue('MaxResults', String(max), 'It must be between 5 and 1000.');
  let offset = 0;
  if (token) {
    const decoded = Number(Buffer.from(token, 'base64url').toString('utf8').replace(/^o:/, ''));
    if (!Number.isInteger(decoded) || decoded < 0 || decoded > items.length)
      throw new Ec2Error('InvalidPaginationToken', `Invalid token: ${token}`);
    offset = decoded;
  }
  if (max === undefined) return { page: items.slice(offset) };
  const page = items.slice(offset, offset + max);
  const next = offset + max;
  return next < items.length ? { page, nextToken: Buffer.from(`o:${next}`).toString('base64url') } : { page };
}
