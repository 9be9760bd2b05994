import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serviceImportFor } from '../../../federation/resources/service-import.js';
import { startTestControlPlane, type TestControlPlane } from '../../support/control-plane.js';
import { waitFor } from '../../support/wait-for.js';

const exportOf = (clusters: string[], ports: object[] = []) => ({
  apiVersion: 'fedgate.dev/v1alpha1',
  kind: 'ServiceExport',
  metadata: { name: 'cart', namespace: 'shop' },
  spec: { clusters, ports },
});
const IMPORT = '/api/v1/namespaces/shop/objects/ServiceImport.v1alpha1.fedgate.dev/cart';

describe('serviceImportFor', () => {
  it('gives the MCS shape: ClusterSetIP, TCP ports with their app protocol, registered serving clusters sorted', () => {
    const si = serviceImportFor(
      {
        metadata: { name: 'cart', namespace: 'shop' },
        spec: {
          clusters: ['b', 'a', 'ghost', 'a'],
          ports: [
            { name: 'http', port: 80, protocol: 'HTTP' },
            { port: 9090, protocol: 'GRPC' },
            { port: 5432, protocol: 'TCP' },
          ],
        },
      },
      new Set(['a', 'b']),
    );
    expect(si).toMatchObject({
      kind: 'ServiceImport',
      metadata: { name: 'cart', namespace: 'shop' },
      spec: {
        type: 'ClusterSetIP',
        ports: [
          { name: 'http', port: 80, protocol: 'TCP', appProtocol: 'http' },
          { port: 9090, protocol: 'TCP', appProtocol: 'kubernetes.io/h2c' },
          { port: 5432, protocol: 'TCP' },
        ],
      },
      status: { clusters: [{ cluster: 'a' }, { cluster: 'b' }] },
    });
  });
});

describe('the ServiceImport controller', () => {
  let cp: TestControlPlane;
  beforeAll(async () => {
    cp = await startTestControlPlane([
      { name: 'c1', provider: 'aws', region: 'eu-west-1' },
      { name: 'c2', provider: 'gcp', region: 'us-east1' },
    ]);
    if (cp.worker === undefined) await cp.startWorker();
  }, 60_000);
  afterAll(() => cp?.close());

  const read = async () => {
    const r = await cp.request('GET', IMPORT);
    return r.status === 200
      ? (r.body as { spec: unknown; status: { clusters: { cluster: string }[] } })
      : undefined;
  };

  it('keeps the ServiceImport of an export in line with it, and removes it with the export', async () => {
    expect((await cp.apply([exportOf(['c1', 'ghost'], [{ port: 80, protocol: 'HTTP' }])])).status).toBe(200);
    const first = await waitFor('the ServiceImport', read);
    expect(first.status.clusters).toEqual([{ cluster: 'c1' }]); // ghost is no member cluster
    expect(first.spec).toEqual({
      type: 'ClusterSetIP',
      ports: [{ port: 80, protocol: 'TCP', appProtocol: 'http' }],
    });

    await cp.apply([exportOf(['c1', 'c2'], [{ port: 80, protocol: 'HTTP' }])]);
    await waitFor('both clusters imported', async () => (await read())?.status.clusters.length === 2);

    const del = await cp.request(
      'DELETE',
      '/api/v1/namespaces/shop/objects/ServiceExport.v1alpha1.fedgate.dev/cart',
    );
    expect(del.status).toBe(200);
    await waitFor('the ServiceImport removed', async () => (await cp.request('GET', IMPORT)).status === 404);
  });

  it('refuses a ServiceImport applied by hand, since fedgate owns it', async () => {
    const r = await cp.apply([
      {
        apiVersion: 'fedgate.dev/v1alpha1',
        kind: 'ServiceImport',
        metadata: { name: 'x', namespace: 'shop' },
        spec: { type: 'ClusterSetIP', ports: [] },
      },
    ]);
    expect(r.status).toBeGreaterThanOrEqual(400);
    expect(r.status).toBeLessThan(500);
  });
});
