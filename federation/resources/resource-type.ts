import { FedgateError } from '../errors/fedgate-error.js';
import { isDns1123Subdomain } from './names.js';

/** The API group of fedgate's own kinds. */
export const FEDGATE_GROUP = 'fedgate.dev';
/** The apiVersion of fedgate's own kinds. */
export const FEDGATE_API_VERSION = `${FEDGATE_GROUP}/v1alpha1`;

const KIND = /^[A-Z][A-Za-z0-9]{0,62}$/;
const VERSION = /^v[0-9]+((alpha|beta)[0-9]+)?$/;

/** A group/version/kind: the identity of a type of object. */
export interface ResourceType {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
}

/**
 * Parses an `apiVersion` and `kind` into a ResourceType, refusing anything that is not a valid
 * Kubernetes group, version and kind, so the result is safe in Redis keys, job ids and URLs.
 */
export function resourceTypeOf(apiVersion: unknown, kind: unknown): ResourceType {
  if (typeof apiVersion !== 'string' || apiVersion === '') {
    throw new FedgateError('Invalid', 'apiVersion: required', [{ path: 'apiVersion', message: 'required' }]);
  }
  if (typeof kind !== 'string' || !KIND.test(kind)) {
    throw new FedgateError('Invalid', 'kind: must be a Kubernetes kind such as Deployment', [
      {
        path: 'kind',
        message: 'must be a Kubernetes kind such as Deployment (a capital letter, then letters and digits)',
      },
    ]);
  }
  const parts = apiVersion.split('/');
  const [group, version] = parts.length === 1 ? ['', parts[0] ?? ''] : [parts[0] ?? '', parts[1] ?? ''];
  if (parts.length > 2 || !VERSION.test(version) || (group !== '' && !isDns1123Subdomain(group))) {
    throw new FedgateError('Invalid', `apiVersion: "${apiVersion}" is not GROUP/VERSION or VERSION`, [
      { path: 'apiVersion', message: 'must be GROUP/VERSION (e.g. apps/v1) or VERSION (e.g. v1)' },
    ]);
  }
  return { group, version, kind };
}

/** The apiVersion string of a type (`apps/v1`, or `v1` for the core group). */
export function apiVersionOf(t: ResourceType): string {
  return t.group === '' ? t.version : `${t.group}/${t.version}`;
}

/**
 * The canonical key of a type, `Kind.version.group` (`Deployment.v1.apps`, `ConfigMap.v1`), as used
 * in URLs, Redis keys and job ids. It holds no ':' or '/' by construction.
 */
export function typeKey(t: ResourceType): string {
  return t.group === '' ? `${t.kind}.${t.version}` : `${t.kind}.${t.version}.${t.group}`;
}

/** Parses a type key back into a ResourceType; throws `BadRequest` for anything malformed. */
export function parseTypeKey(key: string): ResourceType {
  const [kind, version, ...groupParts] = key.split('.');
  try {
    return resourceTypeOf(groupParts.length > 0 ? `${groupParts.join('.')}/${version}` : version, kind);
  } catch {
    throw new FedgateError(
      'BadRequest',
      `"${key}" is not a type key (Kind.version[.group], e.g. Deployment.v1.apps)`,
    );
  }
}

/** True when the type is one of fedgate's own kinds. */
export function isFedgateType(t: ResourceType): boolean {
  return t.group === FEDGATE_GROUP;
}
