import type { LocalEndpoint } from './gateway.js';

/** The label a Service's EndpointSlices carry (discovery.k8s.io/v1). */
export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
/** The appProtocol of a port speaking HTTP/2 without TLS (KEP-3726): gRPC servers. */
export const H2C_APP_PROTOCOL = 'kubernetes.io/h2c';

/** The fields of an EndpointSlice the gateway reads. */
export interface EndpointSliceObject {
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly labels?: Readonly<Record<string, string>>;
  };
  readonly addressType?: string;
  readonly endpoints?: readonly {
    readonly addresses?: readonly string[];
    readonly conditions?: { readonly ready?: boolean | null; readonly terminating?: boolean | null };
  }[];
  readonly ports?: readonly {
    readonly name?: string;
    readonly port?: number;
    readonly appProtocol?: string;
  }[];
}

/**
 * The local endpoints of every Service, by `namespace/name`, from its EndpointSlices: each ready
 * address (a missing `ready` counts as ready, as kube-proxy reads it) on the slice's first port.
 * Slices without the service-name label or an FQDN address type are skipped.
 */
export function endpointsFromSlices(slices: Iterable<EndpointSliceObject>): Record<string, LocalEndpoint[]> {
  const out: Record<string, LocalEndpoint[]> = {};
  for (const s of slices) {
    const service = s.metadata.labels?.[SERVICE_NAME_LABEL];
    if (service === undefined || s.addressType === 'FQDN') continue;
    const port = s.ports?.[0];
    if (port?.port === undefined) continue;
    const key = `${s.metadata.namespace ?? 'default'}/${service}`;
    const list = out[key] ?? [];
    out[key] = list;
    for (const e of s.endpoints ?? []) {
      if (e.conditions?.ready === false) continue;
      for (const a of e.addresses ?? []) {
        const host = a.includes(':') ? `[${a}]` : a;
        list.push({
          url: `http://${host}:${port.port}`,
          ...(port.appProtocol === H2C_APP_PROTOCOL ? { h2c: true } : {}),
        });
      }
    }
  }
  return out;
}
