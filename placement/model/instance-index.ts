import type { ProviderInstancePrices } from './data/index.js';
import { CostModelError } from './errors.js';
import type { ModelIndex } from './model-index.js';
import type { ComputePrice, Provider } from './types.js';
import { assertPrice, assertProvider } from './validate.js';

/** A provider's instance price list, validated and keyed for lookup. */
export interface ProviderInstanceIndex {
  /** The region price `hourly` figures are quoted against (the reference region's list price). */
  readonly reference: ComputePrice;
  readonly types: ReadonlyMap<
    string,
    { readonly hourly: number; readonly byRegion?: Readonly<Record<string, number>> }
  >;
}

/** Instance price lists by provider. */
export type InstanceIndex = ReadonlyMap<Provider, ProviderInstanceIndex>;

const bad = (msg: string, field: string): CostModelError =>
  new CostModelError('INVALID_MODEL_DATA', msg, field);

/** Validates the instance price lists against the region index; throws INVALID_MODEL_DATA with a field path. */
export function buildInstanceIndex(
  data: Readonly<Partial<Record<Provider, ProviderInstancePrices>>>,
  ix: ModelIndex,
): InstanceIndex {
  const out = new Map<Provider, ProviderInstanceIndex>();
  for (const [provider, list] of Object.entries(data)) {
    if (list === undefined) continue;
    const field = `instances.${provider}`;
    assertProvider(provider, field);
    const reference = ix.compute.get(provider)?.get(list.referenceRegion);
    if (reference === undefined || reference.vcpuHour <= 0)
      throw bad(
        `reference region ${list.referenceRegion} has no compute price for ${provider}`,
        `${field}.referenceRegion`,
      );
    const types = new Map<string, { hourly: number; byRegion?: Readonly<Record<string, number>> }>();
    for (const [name, t] of Object.entries(list.types)) {
      const at = `${field}.types.${name}`;
      assertPrice(t.hourly, `${at}.hourly`, 'INVALID_MODEL_DATA');
      if (!(t.vcpus > 0)) throw bad(`${name} must have vCPUs > 0`, `${at}.vcpus`);
      assertPrice(t.memoryGiB, `${at}.memoryGiB`, 'INVALID_MODEL_DATA');
      for (const [region, hourly] of Object.entries(t.byRegion ?? {}))
        assertPrice(hourly, `${at}.byRegion.${region}`, 'INVALID_MODEL_DATA');
      types.set(name, { hourly: t.hourly, ...(t.byRegion ? { byRegion: t.byRegion } : {}) });
    }
    out.set(provider, { reference, types });
  }
  return out;
}
