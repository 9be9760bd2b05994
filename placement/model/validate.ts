import { CostModelError } from './errors.js';
import { assertGeoPoint } from './geo.js';
import {
  type InstanceCount,
  PROVIDERS,
  type Provider,
  type RegionRef,
  type ReplicaRequests,
} from './types.js';

const PROVIDER_SET: ReadonlySet<string> = new Set(PROVIDERS);

/** Throws UNKNOWN_PROVIDER unless `p` is one of the providers the model knows. */
export function assertProvider(p: unknown, field = 'provider'): asserts p is Provider {
  if (typeof p !== 'string' || !PROVIDER_SET.has(p)) {
    throw new CostModelError(
      'UNKNOWN_PROVIDER',
      `${field} must be one of ${PROVIDERS.join(', ')}, got ${JSON.stringify(p)}`,
      field,
    );
  }
}

/** Throws unless `ref` is a RegionRef with a known provider and a non-empty region name. */
export function assertRegionRef(ref: RegionRef, field = 'region'): void {
  if (typeof ref !== 'object' || ref === null) {
    throw new CostModelError(
      'UNKNOWN_REGION',
      `${field} must be {provider, region}, got ${String(ref)}`,
      field,
    );
  }
  assertProvider(ref.provider, `${field}.provider`);
  if (typeof ref.region !== 'string' || ref.region.length === 0) {
    throw new CostModelError(
      'UNKNOWN_REGION',
      `${field}.region must be a non-empty string`,
      `${field}.region`,
    );
  }
}

/** Throws unless `x` is a finite number >= 0. */
export function assertPrice(
  x: unknown,
  field: string,
  code: 'INVALID_OVERRIDE' | 'INVALID_MODEL_DATA',
): void {
  if (typeof x !== 'number' || !Number.isFinite(x) || x < 0) {
    throw new CostModelError(code, `${field} must be a finite number >= 0, got ${String(x)}`, field);
  }
}

/** Throws INVALID_REQUESTS unless cpu and memory are finite and >= 0. */
export function assertRequests(r: ReplicaRequests): void {
  for (const key of ['cpuCores', 'memoryGiB'] as const) {
    const v = r?.[key];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
      throw new CostModelError(
        'INVALID_REQUESTS',
        `requests.${key} must be a finite number >= 0, got ${String(v)}`,
        `requests.${key}`,
      );
    }
  }
}

/** Throws INVALID_INVENTORY unless every group has a type, a whole count >= 0, vCPUs > 0 and memory >= 0. */
export function assertInstances(instances: readonly InstanceCount[]): void {
  instances.forEach((g, i) => {
    const at = `instances[${i}]`;
    const fail = (field: string, want: string, got: unknown) => {
      throw new CostModelError(
        'INVALID_INVENTORY',
        `${at}.${field} must be ${want}, got ${String(got)}`,
        `${at}.${field}`,
      );
    };
    if (typeof g?.instanceType !== 'string' || g.instanceType.length === 0)
      fail('instanceType', 'a non-empty string', g?.instanceType);
    if (!Number.isInteger(g.count) || g.count < 0) fail('count', 'a whole number >= 0', g.count);
    if (typeof g.vcpus !== 'number' || !Number.isFinite(g.vcpus) || g.vcpus <= 0)
      fail('vcpus', 'a finite number > 0', g.vcpus);
    if (typeof g.memoryGiB !== 'number' || !Number.isFinite(g.memoryGiB) || g.memoryGiB < 0)
      fail('memoryGiB', 'a finite number >= 0', g.memoryGiB);
  });
}

export { assertGeoPoint };
