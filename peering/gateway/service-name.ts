/** The clusterset DNS suffix of the Kubernetes Multi-Cluster Services API. */
export const CLUSTERSET_SUFFIX = '.svc.clusterset.local';

/**
 * The `namespace/name` key of the service an app calls, from the request's Host (or `:authority`)
 * or, when the app uses the gateway as its HTTP proxy (`HTTP_PROXY`), from the absolute-form URL.
 * undefined when the name is not `<svc>.<ns>.svc.clusterset.local`.
 */
export function serviceKeyOf(
  url: string,
  host: string | undefined,
): { key: string; path: string } | undefined {
  let authority = host;
  let path = url;
  if (url.startsWith('http://') || url.startsWith('https://')) {
    const start = url.indexOf('//') + 2;
    const slash = url.indexOf('/', start);
    authority = url.slice(start, slash < 0 ? undefined : slash);
    path = slash < 0 ? '/' : url.slice(slash);
  }
  if (authority === undefined) return undefined;
  const key = keyOfAuthority(authority);
  return key === null ? undefined : { key, path };
}

/** Keys of the authorities seen lately (null: not a clusterset name); apps call few names. */
const keys = new Map<string, string | null>();
const MAX_KEYS = 1024;

function keyOfAuthority(authority: string): string | null {
  let key = keys.get(authority);
  if (key !== undefined) return key;
  key = parseAuthority(authority);
  if (keys.size >= MAX_KEYS) keys.clear();
  keys.set(authority, key);
  return key;
}

function parseAuthority(authority: string): string | null {
  const colon = authority.lastIndexOf(':');
  const name = (colon > 0 ? authority.slice(0, colon) : authority).toLowerCase();
  if (!name.endsWith(CLUSTERSET_SUFFIX)) return null;
  const parts = name.slice(0, -CLUSTERSET_SUFFIX.length).split('.');
  if (parts.length !== 2 || parts[0] === '' || parts[1] === '') return null;
  return `${parts[1]}/${parts[0]}`;
}

/** `<svc>.<ns>.svc.clusterset.local` of a `namespace/name` key. */
export function clustersetHost(key: string): string {
  const [ns, name] = key.split('/');
  return `${name}.${ns}${CLUSTERSET_SUFFIX}`;
}
