/**
 * Who may do what through the API: the roles of named tokens and the one rule that decides a
 * request. Pure: the API authenticates, describes the request as an `Access`, and asks here.
 */

/** The roles a token can have. */
export const ROLES = ['admin', 'platform', 'app', 'readonly', 'gateway'] as const;

/** One role. */
export type Role = (typeof ROLES)[number];

/** What each role is for, as `fedgate token --help` and the README say it. */
export const ROLE_HELP: Readonly<Record<Role, string>> = {
  admin: 'everything, including managing tokens',
  platform: 'reads and writes every kind (MemberClusters, PlacementPolicies, templates) and simulates',
  app: 'reads and writes workload templates in its namespaces only; reads clusters and policies',
  readonly: 'reads everything but Secrets, and simulates; writes nothing (viewers, the dashboard)',
  gateway:
    "one cluster's east-west gateway: reads its gateway configuration, pushes its telemetry and gets its certificate signed; nothing else",
};

/** The caller of a request, as its token says. */
export interface Principal {
  /** The token's name (`admin` for the token given to the server at start). */
  readonly name: string;
  readonly role: Role;
  /** For `app`: the namespaces it works in. Empty for the other roles. */
  readonly namespaces: readonly string[];
  /** For `gateway`: the member cluster whose gateway it is. */
  readonly cluster?: string;
}

/** Reading or writing objects of a kind. */
export interface ObjectAccess {
  readonly verb: 'read' | 'write';
  /** Kind of the objects (`Deployment`, `MemberCluster`). */
  readonly kind: string;
  /** True for fedgate's own kinds. */
  readonly fedgate: boolean;
  readonly scope: 'Namespaced' | 'Cluster';
  /** Namespace of a namespaced object or list; undefined for a list across all namespaces. */
  readonly namespace?: string;
  /** The object's name; undefined for a list. */
  readonly name?: string;
}

/** What a request does to which objects. */
export type Access =
  | ObjectAccess
  | { readonly verb: 'simulate' | 'manage tokens' | 'write status' | 'read VPN secrets' }
  /** Read the gateway configuration, push telemetry, get a certificate: as the gateway of `cluster`. */
  | { readonly verb: 'act as gateway'; readonly cluster: string };

/** The reason a principal may not do something, or undefined when it may. */
export function forbiddenReason(p: Principal, a: Access): string | undefined {
  return allowed(p, a) ? undefined : `${describePrincipal(p)} may not ${describeAccess(a)}`;
}

/** `token app-shop (role app, namespaces shop, web)`. */
export function describePrincipal(p: Principal): string {
  const ns =
    p.role === 'app'
      ? `, namespaces ${p.namespaces.join(', ')}`
      : p.role === 'gateway'
        ? `, cluster ${p.cluster ?? '?'}`
        : '';
  return `token ${p.name} (role ${p.role}${ns})`;
}

function allowed(p: Principal, a: Access): boolean {
  if (p.role === 'admin') return true;
  // A gateway's token is good for its own cluster's gateway routes and nothing else.
  if (p.role === 'gateway')
    return a.verb === 'act as gateway' && p.cluster !== undefined && a.cluster === p.cluster;
  if (a.verb === 'act as gateway') return false;
  // Tokens and status (the control plane's record) are the admin's alone.
  if (a.verb !== 'read' && a.verb !== 'write')
    return a.verb === 'simulate' && (p.role === 'platform' || p.role === 'readonly');
  if (p.role === 'platform') return true;
  if (p.role === 'readonly') return a.verb === 'read' && !isSecret(a.kind, a.fedgate);
  return appAllowed(p.namespaces, a);
}

/** An app team: its namespaces' templates; reading fedgate's cluster-wide kinds (clusters, policies). */
function appAllowed(namespaces: readonly string[], a: ObjectAccess): boolean {
  if (a.scope === 'Namespaced') {
    if (a.namespace === undefined || !namespaces.includes(a.namespace)) return false;
    // Bindings are the control plane's account of its templates: readable, never written.
    return a.verb === 'read' || !a.fedgate;
  }
  if (a.fedgate) return a.verb === 'read';
  // Its own Namespace objects, so an app's manifests apply unchanged.
  return a.kind === 'Namespace' && a.name !== undefined && namespaces.includes(a.name);
}

function isSecret(kind: string, fedgate: boolean): boolean {
  return kind === 'Secret' && !fedgate;
}

function describeAccess(a: Access): string {
  if (a.verb === 'act as gateway') return `act as the gateway of cluster ${a.cluster}`;
  if (a.verb !== 'read' && a.verb !== 'write') return a.verb === 'simulate' ? 'run simulations' : a.verb;
  const what = a.kind === 'Secret' && !a.fedgate && a.verb === 'read' ? 'Secrets' : a.kind;
  if (a.scope === 'Cluster') return `${a.verb} ${what}${a.name === undefined ? '' : ` ${a.name}`}`;
  if (a.namespace === undefined) return `${a.verb} ${what} across all namespaces`;
  return `${a.verb} ${what} in namespace ${a.namespace}`;
}
