import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeSim } from '../../sim/kubernetes/index.js';
import { waitFor } from '../support/wait-for.js';
import { clientsFor, startTestSim } from './helpers.js';

const SNAP = { group: 'snapshot.storage.k8s.io', version: 'v1', plural: 'volumesnapshots' };
type Obj = {
  metadata: { name: string; finalizers?: string[] };
  status?: Record<string, unknown>;
  spec?: Record<string, unknown>;
};

let sim: KubeSim;
let c: ReturnType<typeof clientsFor>;
let custom: k8s.CustomObjectsApi;

beforeAll(async () => {
  sim = await startTestSim({ csi: { snapshotDelayMs: 20 } });
  c = clientsFor(sim);
  custom = c.kc.makeApiClient(k8s.CustomObjectsApi);
});
afterAll(() => sim.close());

const claim = (name: string, storage: string, dataSource?: string): k8s.V1PersistentVolumeClaim => ({
  metadata: { name },
  spec: {
    accessModes: ['ReadWriteOnce'],
    resources: { requests: { storage } },
    ...(dataSource ? { dataSource: { apiGroup: SNAP.group, kind: 'VolumeSnapshot', name: dataSource } } : {}),
  },
});
const snapshot = (name: string, pvc: string) => ({
  apiVersion: 'snapshot.storage.k8s.io/v1',
  kind: 'VolumeSnapshot',
  metadata: { name },
  spec: { source: { persistentVolumeClaimName: pvc } },
});
const readSnap = async (name: string) =>
  (await custom.getNamespacedCustomObject({ ...SNAP, namespace: 'default', name })) as Obj;
const events = async (name: string) =>
  (await c.core.listNamespacedEvent({ namespace: 'default', fieldSelector: `involvedObject.name=${name}` }))
    .items;

describe('simulated CSI driver', () => {
  it('serves the snapshot CRDs, a default StorageClass and VolumeSnapshotClass', async () => {
    const group = await c.kc.makeApiClient(k8s.ApisApi).getAPIVersions();
    expect(group.groups.map((g) => g.name)).toContain('snapshot.storage.k8s.io');
    const classes = (await custom.listClusterCustomObject({ ...SNAP, plural: 'volumesnapshotclasses' })) as {
      items: { driver: string; deletionPolicy: string }[];
    };
    expect(classes.items).toEqual([
      expect.objectContaining({ driver: 'csi.fedgate.dev', deletionPolicy: 'Delete' }),
    ]);
    const sc = await c.kc.makeApiClient(k8s.StorageV1Api).listStorageClass();
    expect(sc.items[0]?.metadata?.annotations?.['storageclass.kubernetes.io/is-default-class']).toBe('true');
  });

  it('provisions a claim: a PersistentVolume is created and the claim turns Bound', async () => {
    await c.core.createNamespacedPersistentVolumeClaim({ namespace: 'default', body: claim('db', '5Gi') });
    const bound = await waitFor('claim bound', async () => {
      const pvc = await c.core.readNamespacedPersistentVolumeClaim({ namespace: 'default', name: 'db' });
      return pvc.status?.phase === 'Bound' && pvc;
    });
    expect(bound.status?.capacity?.storage).toBe('5Gi');
    const pv = await c.core.readPersistentVolume({ name: bound.spec?.volumeName ?? '' });
    expect(pv.spec?.claimRef?.name).toBe('db');
    expect(pv.spec?.csi?.driver).toBe('csi.fedgate.dev');
  });

  it('snapshots a bound claim, restores from it, refuses a smaller restore, and deletes through its finalizer', async () => {
    await custom.createNamespacedCustomObject({
      ...SNAP,
      namespace: 'default',
      body: snapshot('db-snap', 'db'),
    });
    const ready = await waitFor('snapshot ready', async () => {
      const vs = await readSnap('db-snap');
      return vs.status?.readyToUse === true && vs;
    });
    expect(ready.status).toMatchObject({
      restoreSize: '5Gi',
      boundVolumeSnapshotContentName: expect.stringMatching(/^snapcontent-/),
    });
    expect(ready.metadata.finalizers).toContain(
      'snapshot.storage.kubernetes.io/volumesnapshot-bound-protection',
    );
    const contentName = String(ready.status?.boundVolumeSnapshotContentName);
    const content = (await custom.getClusterCustomObject({
      ...SNAP,
      plural: 'volumesnapshotcontents',
      name: contentName,
    })) as Obj;
    expect(content.status).toMatchObject({ readyToUse: true, restoreSize: 5 * 1024 ** 3 });

    await c.core.createNamespacedPersistentVolumeClaim({
      namespace: 'default',
      body: claim('db-small', '1Gi', 'db-snap'),
    });
    await waitFor('refusal event', async () =>
      (await events('db-small')).some(
        (e) => e.reason === 'ProvisioningFailed' && /less than the size/.test(e.message ?? ''),
      ),
    );
    expect(
      (await c.core.readNamespacedPersistentVolumeClaim({ namespace: 'default', name: 'db-small' })).status
        ?.phase,
    ).not.toBe('Bound');

    await c.core.createNamespacedPersistentVolumeClaim({
      namespace: 'default',
      body: claim('db-copy', '5Gi', 'db-snap'),
    });
    await waitFor(
      'restored claim bound',
      async () =>
        (await c.core.readNamespacedPersistentVolumeClaim({ namespace: 'default', name: 'db-copy' })).status
          ?.phase === 'Bound',
    );

    await custom.deleteNamespacedCustomObject({ ...SNAP, namespace: 'default', name: 'db-snap' });
    await waitFor(
      'snapshot and content gone',
      () =>
        !sim.object('snapshot.storage.k8s.io/v1/volumesnapshots', 'default', 'db-snap') &&
        !sim.object('snapshot.storage.k8s.io/v1/volumesnapshotcontents', '', contentName),
    );
  });

  it('reports an error on a snapshot of a missing claim, and cuts it once the claim exists', async () => {
    await custom.createNamespacedCustomObject({
      ...SNAP,
      namespace: 'default',
      body: snapshot('early', 'late'),
    });
    const failed = await waitFor('error reported', async () => {
      const vs = await readSnap('early');
      return vs.status?.error !== undefined && vs;
    });
    expect(failed.status).toMatchObject({
      readyToUse: false,
      error: { message: 'PersistentVolumeClaim "late" not found' },
    });
    await c.core.createNamespacedPersistentVolumeClaim({ namespace: 'default', body: claim('late', '2Gi') });
    await waitFor(
      'snapshot ready after the claim is bound',
      async () => (await readSnap('early')).status?.readyToUse === true,
    );
  });

  it('deletes the volume with its claim (reclaimPolicy Delete)', async () => {
    const pvc = await c.core.readNamespacedPersistentVolumeClaim({ namespace: 'default', name: 'db' });
    await c.core.deleteNamespacedPersistentVolumeClaim({ namespace: 'default', name: 'db' });
    await waitFor('volume gone', () => !sim.object('v1/persistentvolumes', '', pvc.spec?.volumeName ?? ''));
  });
});
