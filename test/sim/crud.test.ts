import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import type { KubeSim } from '../../sim/kubernetes/index.js';
import { apiError, clientsFor, startTestSim, statusOf } from './helpers.js';

let sim: KubeSim;
let c: ReturnType<typeof clientsFor>;

beforeAll(async () => {
  sim = await startTestSim({ events: false });
  c = clientsFor(sim);
});
afterAll(() => sim.close());

describe('discovery', () => {
  it('serves /version, /api, /apis and resource lists with short names', async () => {
    const version = await c.kc.makeApiClient(k8s.VersionApi).getCode();
    expect(version.gitVersion).toBe('v1.32.2');
    const core = await c.core.getAPIResources();
    const pods = core.resources.find((r) => r.name === 'pods');
    expect(pods).toMatchObject({ kind: 'Pod', namespaced: true, shortNames: ['po'] });
    expect(core.resources.find((r) => r.name === 'namespaces')?.namespaced).toBe(false);
    const groups = await c.kc.makeApiClient(k8s.ApisApi).getAPIVersions();
    expect(groups.groups.map((g) => g.name)).toEqual(
      expect.arrayContaining(['apps', 'batch', 'networking.k8s.io']),
    );
    const apps = await c.apps.getAPIResources();
    expect(apps.resources.find((r) => r.name === 'deployments')?.shortNames).toEqual(['deploy']);
    expect(apps.resources.map((r) => r.name)).toEqual(
      expect.arrayContaining(['deployments/status', 'deployments/scale', 'statefulsets']),
    );
  });
});

describe('CRUD', () => {
  it('creates, reads, replaces and deletes with resourceVersion bookkeeping', async () => {
    const created = await c.core.createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { name: 'crud', labels: { a: '1' } }, data: { k: 'v' } },
    });
    expect(created.metadata?.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.metadata?.creationTimestamp).toBeInstanceOf(Date);
    const rv1 = Number(created.metadata?.resourceVersion);
    expect(rv1).toBeGreaterThan(0);
    const read = await c.core.readNamespacedConfigMap({ name: 'crud', namespace: 'default' });
    expect(read.data).toEqual({ k: 'v' });
    const replaced = await c.core.replaceNamespacedConfigMap({
      name: 'crud',
      namespace: 'default',
      body: { ...read, data: { k: 'w' } },
    });
    expect(Number(replaced.metadata?.resourceVersion)).toBeGreaterThan(rv1);
    expect(replaced.metadata?.uid).toBe(created.metadata?.uid);
    const status = await c.core.deleteNamespacedConfigMap({ name: 'crud', namespace: 'default' });
    expect(status.status).toBe('Success');
    const gone = await apiError(c.core.readNamespacedConfigMap({ name: 'crud', namespace: 'default' }));
    expect(gone.code).toBe(404);
    expect(statusOf(gone)).toMatchObject({
      kind: 'Status',
      reason: 'NotFound',
      message: 'configmaps "crud" not found',
      code: 404,
    });
  });

  it('answers 409 AlreadyExists and 409 Conflict on a stale resourceVersion', async () => {
    const body = { metadata: { name: 'dup' }, data: { a: '1' } };
    const first = await c.core.createNamespacedConfigMap({ namespace: 'default', body });
    const again = await apiError(c.core.createNamespacedConfigMap({ namespace: 'default', body }));
    expect(again.code).toBe(409);
    expect(statusOf(again).reason).toBe('AlreadyExists');
    await c.core.replaceNamespacedConfigMap({
      name: 'dup',
      namespace: 'default',
      body: { ...first, data: { a: '2' } },
    });
    const stale = await apiError(
      c.core.replaceNamespacedConfigMap({
        name: 'dup',
        namespace: 'default',
        body: { ...first, data: { a: '3' } },
      }),
    );
    expect(stale.code).toBe(409);
    expect(statusOf(stale)).toMatchObject({ reason: 'Conflict' });
    expect(statusOf(stale).message).toContain('the object has been modified');
  });

  it('answers 422 Invalid for bad names and missing workload fields', async () => {
    const badName = await apiError(
      c.core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'Bad_Name' } } }),
    );
    expect(badName.code).toBe(422);
    expect(statusOf(badName)).toMatchObject({ reason: 'Invalid' });
    expect(statusOf(badName).message).toContain('metadata.name: Invalid value: "Bad_Name"');
    const noSelector = await apiError(
      c.apps.createNamespacedDeployment({
        namespace: 'default',
        body: {
          metadata: { name: 'broken' },
          spec: { template: { spec: { containers: [{ name: 'c', image: 'x' }] } } } as k8s.V1DeploymentSpec,
        },
      }),
    );
    expect(noSelector.code).toBe(422);
    expect(statusOf(noSelector).message).toContain('spec.selector: Required value');
    const noImage = await apiError(
      c.core.createNamespacedPod({
        namespace: 'default',
        body: { metadata: { name: 'p' }, spec: { containers: [{ name: 'c' }] } },
      }),
    );
    expect(statusOf(noImage).message).toContain('spec.containers[0].image: Required value');
  });

  it('requires the namespace to exist, and deleting a namespace deletes its contents', async () => {
    const missing = await apiError(
      c.core.createNamespacedConfigMap({ namespace: 'nowhere', body: { metadata: { name: 'x' } } }),
    );
    expect(missing.code).toBe(404);
    expect(statusOf(missing).message).toBe('namespaces "nowhere" not found');
    await c.core.createNamespace({ body: { metadata: { name: 'team-a' } } });
    const ns = await c.core.readNamespace({ name: 'team-a' });
    expect(ns.status?.phase).toBe('Active');
    expect(ns.metadata?.labels?.['kubernetes.io/metadata.name']).toBe('team-a');
    await c.core.createNamespacedSecret({
      namespace: 'team-a',
      body: { metadata: { name: 's' }, stringData: { password: 'hunter2' } },
    });
    const secret = await c.core.readNamespacedSecret({ name: 's', namespace: 'team-a' });
    expect(secret.type).toBe('Opaque');
    expect(Buffer.from(secret.data?.password ?? '', 'base64').toString()).toBe('hunter2');
    await c.core.deleteNamespace({ name: 'team-a' });
    expect((await apiError(c.core.readNamespacedSecret({ name: 's', namespace: 'team-a' }))).code).toBe(404);
    expect((await apiError(c.core.readNamespace({ name: 'team-a' }))).code).toBe(404);
    const builtins = (await c.core.listNamespace()).items.map((n) => n.metadata?.name);
    expect(builtins).toEqual(expect.arrayContaining(['default', 'kube-system', 'kube-public']));
  });

  it('allocates ClusterIPs and defaults services; serviceaccounts exist per namespace', async () => {
    const svc = await c.core.createNamespacedService({
      namespace: 'default',
      body: { metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ port: 80 }] } },
    });
    expect(svc.spec?.clusterIP).toMatch(/^10\.96\./);
    expect(svc.spec?.type).toBe('ClusterIP');
    expect(svc.spec?.ports?.[0]).toMatchObject({ protocol: 'TCP', targetPort: 80 });
    await sim.settle();
    const sa = await c.core.readNamespacedServiceAccount({ name: 'default', namespace: 'default' });
    expect(sa.metadata?.name).toBe('default');
  });

  it('supports dryRun=All without persisting', async () => {
    const dry = await c.core.createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { name: 'dry' } },
      dryRun: 'All',
    });
    expect(dry.metadata?.name).toBe('dry');
    expect((await apiError(c.core.readNamespacedConfigMap({ name: 'dry', namespace: 'default' }))).code).toBe(
      404,
    );
  });

  it('supports generateName', async () => {
    const cm = await c.core.createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { generateName: 'gen-' } },
    });
    expect(cm.metadata?.name).toMatch(/^gen-[a-z0-9]{5}$/);
  });
});

describe('list', () => {
  beforeAll(async () => {
    await c.core.createNamespace({ body: { metadata: { name: 'lists' } } });
    for (let i = 0; i < 7; i++) {
      await c.core.createNamespacedConfigMap({
        namespace: 'lists',
        body: {
          metadata: {
            name: `cm-${i}`,
            labels: {
              app: i % 2 === 0 ? 'even' : 'odd',
              idx: String(i),
              ...(i === 0 ? { first: 'yes' } : {}),
            },
          },
        },
      });
    }
  });

  it('filters with label selectors', async () => {
    const names = async (labelSelector: string) =>
      (await c.core.listNamespacedConfigMap({ namespace: 'lists', labelSelector })).items.map(
        (i) => i.metadata?.name,
      );
    expect(await names('app=even')).toEqual(['cm-0', 'cm-2', 'cm-4', 'cm-6']);
    expect(await names('app!=even')).toEqual(['cm-1', 'cm-3', 'cm-5']);
    expect(await names('idx in (1,2,3)')).toEqual(['cm-1', 'cm-2', 'cm-3']);
    expect(await names('app=odd,idx notin (1)')).toEqual(['cm-3', 'cm-5']);
    expect(await names('first')).toEqual(['cm-0']);
    expect((await names('!first')).length).toBe(6);
  });

  it('filters with field selectors and lists across namespaces', async () => {
    const one = await c.core.listNamespacedConfigMap({
      namespace: 'lists',
      fieldSelector: 'metadata.name=cm-3',
    });
    expect(one.items.map((i) => i.metadata?.name)).toEqual(['cm-3']);
    const all = await c.core.listConfigMapForAllNamespaces({ labelSelector: 'app' });
    expect(all.items.every((i) => i.metadata?.namespace === 'lists')).toBe(true);
    expect(all.items.length).toBe(7);
  });

  it('paginates with limit and continue and reports the list resourceVersion', async () => {
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await c.core.listNamespacedConfigMap({ namespace: 'lists', limit: 3, _continue: token });
      expect(Number(page.metadata?.resourceVersion)).toBeGreaterThan(0);
      seen.push(...page.items.map((i) => i.metadata?.name ?? ''));
      token = page.metadata?._continue || undefined;
      pages += 1;
    } while (token);
    expect(pages).toBe(3);
    expect(seen).toEqual(['cm-0', 'cm-1', 'cm-2', 'cm-3', 'cm-4', 'cm-5', 'cm-6']);
  });
});

describe('unknown kinds and CRDs', () => {
  it('answers 404 for a kind with no CRD, as a real cluster does', async () => {
    const res = await fetch(`${sim.url}/apis/example.com/v1/namespaces/default/widgets`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w0' } }),
    });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({
      kind: 'Status',
      reason: 'NotFound',
      message: 'the server could not find the requested resource',
    });
  });

  it('stores objects of an unknown group/version generically when told to learn kinds', async () => {
    const learning = await startTestSim({ events: false, learnUnknownKinds: true });
    const sim = learning;
    const c = clientsFor(learning);
    onTestFinished(() => learning.close());
    const widget = {
      apiVersion: 'example.com/v1',
      kind: 'Widget',
      metadata: { name: 'w1', namespace: 'default' },
      spec: { size: 3 },
    };
    const res = await fetch(`${sim.url}/apis/example.com/v1/namespaces/default/widgets`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(widget),
    });
    expect(res.status).toBe(201);
    const list = await c.objects.list('example.com/v1', 'Widget', 'default');
    expect(list.items.map((i) => i.metadata?.name)).toEqual(['w1']);
    const read = await c.objects.read({
      apiVersion: 'example.com/v1',
      kind: 'Widget',
      metadata: { name: 'w1', namespace: 'default' },
    });
    expect((read as unknown as { spec: { size: number } }).spec.size).toBe(3);
    const missing = await fetch(`${sim.url}/apis/example.com/v1/namespaces/default/widgets/nope`);
    expect(missing.status).toBe(404);
  });

  it('serves custom resources once a CRD is created, through KubernetesObjectApi', async () => {
    await c.objects.create({
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'gadgets.fedgate.dev' },
      spec: {
        group: 'fedgate.dev',
        scope: 'Namespaced',
        names: { plural: 'gadgets', singular: 'gadget', kind: 'Gadget', shortNames: ['gd'] },
        versions: [
          { name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object' } } },
        ],
      },
    } as k8s.KubernetesObject);
    const gadget = {
      apiVersion: 'fedgate.dev/v1',
      kind: 'Gadget',
      metadata: { name: 'g1', namespace: 'default' },
      spec: { colour: 'red' },
    };
    await c.objects.patch(gadget, undefined, undefined, 'fedgate', true, k8s.PatchStrategy.ServerSideApply);
    const got = await c.objects.read({
      apiVersion: 'fedgate.dev/v1',
      kind: 'Gadget',
      metadata: { name: 'g1', namespace: 'default' },
    });
    expect(got.metadata?.generation).toBe(1);
    expect(got.metadata?.managedFields?.[0]?.manager).toBe('fedgate');
  });
});
