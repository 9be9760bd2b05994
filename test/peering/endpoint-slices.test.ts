import { afterEach, describe, expect, it } from 'vitest';
import { watchEndpointSlices } from '../../peering/gateway/endpoint-slice-watch.js';
import { endpointsFromSlices } from '../../peering/gateway/endpoint-slices.js';
import { KubernetesClient } from '../../providers/kubernetes/kubernetes-client.js';
import type { WatchHandle } from '../../providers/member-cluster-client.js';
import type { KubeSim } from '../../sim/kubernetes/index.js';
import { kubeConfigFor, startTestSim } from '../sim/helpers.js';
import { waitFor } from '../support/wait-for.js';
import { call, route, startEcho, startFederation, type TestFederation } from './gateway-harness.js';

const slice = (
  name: string,
  service: string,
  addresses: { ip: string; ready?: boolean }[],
  port: number,
  appProtocol?: string,
) => ({
  apiVersion: 'discovery.k8s.io/v1',
  kind: 'EndpointSlice',
  metadata: {
    name,
    namespace: 'shop',
    labels: { 'kubernetes.io/service-name': service, 'endpointslice.kubernetes.io/managed-by': 'test' },
  },
  addressType: 'IPv4',
  endpoints: addresses.map((a) => ({
    addresses: [a.ip],
    ...(a.ready === undefined ? {} : { conditions: { ready: a.ready } }),
  })),
  ports: [{ name: 'http', port, protocol: 'TCP', ...(appProtocol ? { appProtocol } : {}) }],
});

describe('endpointsFromSlices', () => {
  it('takes the ready addresses of every slice of a Service on the first port, h2c by appProtocol', () => {
    const out = endpointsFromSlices([
      slice('api-1', 'api', [{ ip: '10.0.0.1' }, { ip: '10.0.0.2', ready: false }], 8080),
      slice('api-2', 'api', [{ ip: '10.0.0.3', ready: true }], 8080),
      slice('rpc-1', 'rpc', [{ ip: 'fd00::1' }], 9090, 'kubernetes.io/h2c'),
      { metadata: { name: 'orphan', namespace: 'shop' }, ports: [{ port: 1 }], endpoints: [] },
    ]);
    expect(out).toEqual({
      'shop/api': [{ url: 'http://10.0.0.1:8080' }, { url: 'http://10.0.0.3:8080' }],
      'shop/rpc': [{ url: 'http://[fd00::1]:9090', h2c: true }],
    });
  });
});

describe('a gateway learning local endpoints from EndpointSlices', () => {
  let sim: KubeSim | undefined;
  let fed: TestFederation | undefined;
  let watch: WatchHandle | undefined;
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    watch?.stop();
    await fed?.close();
    await sim?.close();
    for (const c of closers.splice(0)) await c();
  });

  it('serves cross-cluster calls to the endpoints the member cluster lists, and follows their changes', async () => {
    sim = await startTestSim();
    const client = new KubernetesClient('b', kubeConfigFor(sim), {
      watch: { minBackoffMs: 100, maxBackoffMs: 500 },
    });
    fed = await startFederation({
      clusters: { a: { region: 'eu-west-1', provider: 'aws' }, b: { region: 'us-east1', provider: 'gcp' } },
      services: { 'shop/api': route('shop', 'api', ['b']) },
      authorization: [{ name: 'all', service: 'shop/api', from: [], paths: [], methods: [] }],
      quotas: [],
    });
    const echo = await startEcho('b');
    closers.push(() => echo.close());
    const b = await fed.start('b');
    const a = await fed.start('a');
    watch = watchEndpointSlices(client, (e) => b.setLocalEndpoints(e));
    const host = 'api.shop.svc.clusterset.local';
    expect((await call(a, host)).status).toBe(503); // no endpoint yet

    const port = Number(new URL(echo.url).port);
    // A Service without a selector and its EndpointSlice, as a platform manages them for endpoints outside pods.
    await client.apply(
      [
        {
          apiVersion: 'v1',
          kind: 'Service',
          metadata: { name: 'api', namespace: 'shop' },
          spec: { ports: [{ name: 'http', port, protocol: 'TCP' }] },
        },
        slice('api-1', 'api', [{ ip: '127.0.0.1' }], port),
      ],
      { fieldManager: 'test' },
    );
    await waitFor('the endpoint learned', async () => (await call(a, host)).status === 200);
    expect(JSON.parse((await call(a, host)).body).cluster).toBe('b');

    // The endpoint goes unready: the gateway stops sending to it.
    await client.apply([slice('api-1', 'api', [{ ip: '127.0.0.1', ready: false }], port)], {
      fieldManager: 'test',
    });
    await waitFor('the endpoint dropped', async () => (await call(a, host)).status === 503);
    const hits = echo.hits;
    expect((await call(a, host)).status).toBe(503);
    expect(echo.hits).toBe(hits);

    // The listing a kubectl user sees is the one the gateway used.
    const listed = await client.listByLabels('discovery.k8s.io/v1', 'EndpointSlice', {
      'kubernetes.io/service-name': 'api',
    });
    expect(listed.map((s) => s.metadata.name)).toEqual(['api-1']);
  });
});
