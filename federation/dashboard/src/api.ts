/** The dashboard's only way to the control plane: the HTTP API, same origin, with the session cookie. */

/** The fedgate kinds the dashboard reads, by their API type key. */
export const TYPES = {
  cluster: 'MemberCluster.v1alpha1.fedgate.dev',
  binding: 'Binding.v1alpha1.fedgate.dev',
  policy: 'PlacementPolicy.v1alpha1.fedgate.dev',
  peering: 'Peering.v1alpha1.fedgate.dev',
  replication: 'StorageReplication.v1alpha1.fedgate.dev',
} as const;

/** An API error with its HTTP status. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function csrfToken(): string {
  const m = /(?:^|;\s*)fedgate_csrf=([^;]+)/.exec(document.cookie);
  return m?.[1] ?? '';
}

/** Calls the API; throws ApiError on a non-2xx answer. */
export async function api<T>(path: string, init: RequestInit = {}): Promise<T> {
  const method = init.method ?? 'GET';
  const headers = new Headers(init.headers);
  if (method !== 'GET' && method !== 'HEAD') headers.set('x-fedgate-csrf', csrfToken());
  const res = await fetch(`/api/v1${path}`, { ...init, headers, credentials: 'same-origin' });
  if (!res.ok) {
    let message = res.statusText;
    try {
      message = ((await res.json()) as { message?: string }).message ?? message;
    } catch {
      // not JSON: keep the status text
    }
    throw new ApiError(res.status, message);
  }
  return (res.status === 204 ? undefined : await res.json()) as T;
}

/** Opens a session with the token: the token goes in one POST header and is forgotten by the page. */
export async function signIn(token: string): Promise<void> {
  await api('/session', { method: 'POST', headers: { authorization: `Bearer ${token}` } });
}

/** Closes the session. */
export async function signOut(): Promise<void> {
  await api('/session', { method: 'DELETE' });
}

/** A Kubernetes-like object as the API lists it. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; resourceVersion?: string };
  // biome-ignore lint/suspicious/noExplicitAny: objects of many kinds; views read the fields they know
  spec?: any;
  // biome-ignore lint/suspicious/noExplicitAny: as above
  status?: any;
}

/** Lists every object of a type (across namespaces). */
export async function list(type: string): Promise<{ items: KubeObject[]; resourceVersion: string }> {
  const l = await api<{ items: KubeObject[]; metadata: { resourceVersion: string } }>(
    `/objects/${encodeURIComponent(type)}`,
  );
  return { items: l.items, resourceVersion: l.metadata.resourceVersion };
}

/** One link of the traffic matrix (see federation/api/routes/traffic.ts). */
export interface TrafficLink {
  source: string;
  destination: string;
  service?: string;
  requestsPerSecond: number;
  bytesIn: number;
  bytesOut: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  errorRate: number;
  egressCostPerHour: number;
  egressCostPerMonth: number;
}

/** The traffic matrix over a window. */
export interface Traffic {
  window: string;
  windowSeconds: number;
  generatedAt: string;
  links: TrafficLink[];
  services: TrafficLink[];
}

/** A region with its coordinates. */
export interface Region {
  provider: string;
  name: string;
  displayName: string;
  lat: number;
  lon: number;
}

/** One point of a link's series. */
export interface SeriesPoint {
  t: number;
  requestsPerSecond: number;
  bytes: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  errorRate: number;
}
