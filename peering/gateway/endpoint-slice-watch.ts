import type { MemberClusterClient, WatchHandle } from '../../providers/member-cluster-client.js';
import type { ProviderError } from '../../providers/provider-error.js';
import { type EndpointSliceObject, endpointsFromSlices } from './endpoint-slices.js';
import type { LocalEndpoint } from './gateway.js';

/**
 * Follows the member cluster's EndpointSlices (discovery.k8s.io/v1, list then watch, re-listing
 * after a reconnect) and hands the gateway the local endpoints of every Service after each change,
 * as kube-proxy does. `onError` hears API failures; the watch keeps retrying and the gateway keeps
 * the last endpoints it had.
 */
export function watchEndpointSlices(
  client: MemberClusterClient,
  onChange: (endpoints: Record<string, LocalEndpoint[]>) => void,
  onError: (err: ProviderError) => void = () => {},
): WatchHandle {
  const slices = new Map<string, EndpointSliceObject>();
  return client.watchWorkloads(
    { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', labels: {} },
    (e) => {
      const o = e.object as unknown as EndpointSliceObject;
      const key = `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
      if (e.type === 'DELETED') slices.delete(key);
      else slices.set(key, o);
      onChange(endpointsFromSlices(slices.values()));
    },
    onError,
  );
}
