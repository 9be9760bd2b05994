/** SPIFFE IDs of the federation: gateways by cluster, workloads by namespace and service account. */

const SEGMENT = /^[a-z0-9]([a-z0-9.-]{0,61}[a-z0-9])?$/;
const TRUST_DOMAIN = /^[a-z0-9]([a-z0-9.-]{0,253}[a-z0-9])?$/;

/** Who a SPIFFE ID names: a cluster's gateway, or a workload (namespace + service account). */
export type SpiffeIdentity =
  | { readonly kind: 'cluster'; readonly federation: string; readonly cluster: string }
  | {
      readonly kind: 'workload';
      readonly federation: string;
      readonly namespace: string;
      readonly serviceAccount: string;
    };

/** Refuses a trust domain that is not a lower-case DNS-like name. */
export function assertTrustDomain(federation: string): void {
  if (!TRUST_DOMAIN.test(federation)) {
    throw new Error(
      `federation "${federation}" is not a SPIFFE trust domain (lower-case letters, digits, '.', '-')`,
    );
  }
}

/** `spiffe://<federation>/cluster/<name>`: the identity of a cluster's gateway. */
export function clusterSpiffeId(federation: string, cluster: string): string {
  assertTrustDomain(federation);
  if (!SEGMENT.test(cluster)) throw new Error(`cluster "${cluster}" is not a DNS label`);
  return `spiffe://${federation}/cluster/${cluster}`;
}

/** `spiffe://<federation>/ns/<ns>/sa/<sa>`: the identity of a workload. */
export function workloadSpiffeId(federation: string, namespace: string, serviceAccount: string): string {
  assertTrustDomain(federation);
  if (!SEGMENT.test(namespace)) throw new Error(`namespace "${namespace}" is not a DNS label`);
  if (!SEGMENT.test(serviceAccount)) throw new Error(`service account "${serviceAccount}" is not a DNS name`);
  return `spiffe://${federation}/ns/${namespace}/sa/${serviceAccount}`;
}

/** Parses a SPIFFE ID of either shape; undefined for anything else (never throws on input from the wire). */
export function parseSpiffeId(id: string): SpiffeIdentity | undefined {
  const m = /^spiffe:\/\/([^/]+)\/(.+)$/.exec(id);
  if (!m || !TRUST_DOMAIN.test(m[1]!)) return undefined;
  const federation = m[1]!;
  const parts = m[2]!.split('/');
  if (parts.length === 2 && parts[0] === 'cluster' && SEGMENT.test(parts[1]!)) {
    return { kind: 'cluster', federation, cluster: parts[1]! };
  }
  if (
    parts.length === 4 &&
    parts[0] === 'ns' &&
    parts[2] === 'sa' &&
    SEGMENT.test(parts[1]!) &&
    SEGMENT.test(parts[3]!)
  ) {
    return { kind: 'workload', federation, namespace: parts[1]!, serviceAccount: parts[3]! };
  }
  return undefined;
}
