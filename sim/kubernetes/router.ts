/**
 * URL routing for the Kubernetes REST paths: discovery documents, resource collections and items
 * (core `/api/v1/…` and grouped `/apis/{group}/{version}/…`, namespaced or not), subresources, the
 * legacy `/watch/` prefix, and the simulator's own `/_sim/…` control endpoints.
 */

/** A parsed request path. */
export type Route =
  | { type: 'version' }
  | { type: 'health' }
  | { type: 'api' }
  | { type: 'apis' }
  | { type: 'group'; group: string }
  | { type: 'resourceList'; group: string; version: string }
  | { type: 'openapi' }
  | { type: 'simFaults' }
  | { type: 'notFound' }
  | ResourceRoute;

/** A path to a resource collection, object or subresource. */
export interface ResourceRoute {
  type: 'resource';
  group: string;
  version: string;
  /** Namespace from the path; undefined for cluster-scoped or all-namespaces requests. */
  namespace: string | undefined;
  resource: string;
  name: string | undefined;
  subresource: string | undefined;
  /** True for the legacy `/watch/` prefix. */
  watchPrefix: boolean;
}

// Subresources of a Namespace, which would otherwise look like `namespaces/{ns}/{resource}`.
const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);

function resourceRoute(group: string, version: string, rest: string[]): Route {
  let watchPrefix = false;
  let parts = rest;
  if (parts[0] === 'watch') {
    watchPrefix = true;
    parts = parts.slice(1);
  }
  const isNamespaced =
    parts[0] === 'namespaces' &&
    parts.length >= 3 &&
    !(parts.length === 3 && NAMESPACE_SUBRESOURCES.has(parts[2] ?? ''));
  const [namespace, resource, name, subresource, extra] = isNamespaced
    ? [parts[1], parts[2], parts[3], parts[4], parts[5]]
    : [undefined, parts[0], parts[1], parts[2], parts[3]];
  if (!resource || extra !== undefined) return { type: 'notFound' };
  return { type: 'resource', group, version, namespace, resource, name, subresource, watchPrefix };
}

/** Parses a URL pathname into a route. */
export function route(pathname: string): Route {
  const parts = pathname
    .split('/')
    .filter((p) => p !== '')
    .map((p) => decodeURIComponent(p));
  const [first, second, third] = parts;
  if (first === 'version' && parts.length === 1) return { type: 'version' };
  if ((first === 'healthz' || first === 'livez' || first === 'readyz') && parts.length <= 2)
    return { type: 'health' };
  if (first === 'openapi' || first === 'swagger.json') return { type: 'openapi' };
  if (first === '_sim' && second === 'faults' && parts.length === 2) return { type: 'simFaults' };
  if (first === 'api') {
    if (!second) return { type: 'api' };
    if (parts.length === 2) return { type: 'resourceList', group: '', version: second };
    return resourceRoute('', second, parts.slice(2));
  }
  if (first === 'apis') {
    if (!second) return { type: 'apis' };
    if (!third) return { type: 'group', group: second };
    if (parts.length === 3) return { type: 'resourceList', group: second, version: third };
    return resourceRoute(second, third, parts.slice(3));
  }
  return { type: 'notFound' };
}
