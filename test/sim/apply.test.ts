import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeSim } from '../../sim/kubernetes/index.js';
import { apiError, clientsFor, startTestSim, statusOf } from './helpers.js';

let sim: KubeSim;
let c: ReturnType<typeof clientsFor>;

beforeAll(async () => {
  sim = await startTestSim({ events: false });
  c = clientsFor(sim);
});
afterAll(() => sim.close());

type Obj = k8s.KubernetesObject & { data?: Record<string, string>; spec?: Record<string, unknown> };

const apply = (obj: Obj, manager: string, force = false) =>
  c.objects.patch(
    obj,
    undefined,
    undefined,
    manager,
    force,
    k8s.PatchStrategy.ServerSideApply,
  ) as Promise<Obj>;

function cm(name: string, data: Record<string, string>, labels?: Record<string, string>): Obj {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace: 'default', ...(labels ? { labels } : {}) },
    data,
  };
}

function deployment(name: string, replicas: number, containers: { name: string; image: string }[]): Obj {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'default' },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers } },
    },
  };
}

describe('server-side apply', () => {
  it('creates when absent and records the manager with FieldsV1', async () => {
    const out = await apply(cm('ssa-create', { a: '1' }, { team: 'x' }), 'fedgate');
    expect(out.metadata?.resourceVersion).toBeTruthy();
    const entry = out.metadata?.managedFields?.[0];
    expect(entry).toMatchObject({
      manager: 'fedgate',
      operation: 'Apply',
      apiVersion: 'v1',
      fieldsType: 'FieldsV1',
    });
    expect(entry?.fieldsV1).toEqual({
      'f:data': { 'f:a': {} },
      'f:metadata': { 'f:labels': { 'f:team': {} } },
    });
  });

  it('is idempotent: re-applying the same configuration does not change resourceVersion', async () => {
    const first = await apply(cm('ssa-idem', { a: '1' }), 'fedgate');
    const second = await apply(cm('ssa-idem', { a: '1' }), 'fedgate');
    expect(second.metadata?.resourceVersion).toBe(first.metadata?.resourceVersion);
  });

  it('removes fields the manager stops applying, unless another manager owns them', async () => {
    await apply(cm('ssa-remove', { a: '1', b: '2', c: '3' }), 'one');
    await apply(cm('ssa-remove', { c: '3' }), 'two');
    const out = await apply(cm('ssa-remove', { a: '1' }), 'one');
    expect(out.data).toEqual({ a: '1', c: '3' });
  });

  it('conflicts with another manager on a differing value, and force takes ownership', async () => {
    await apply(deployment('ssa-conflict', 2, [{ name: 'app', image: 'nginx:1.26' }]), 'fedgate');
    const err = await apiError(
      apply(deployment('ssa-conflict', 5, [{ name: 'app', image: 'nginx:1.26' }]), 'hpa'),
    );
    expect(err.code).toBe(409);
    const status = statusOf(err);
    expect(status.reason).toBe('Conflict');
    expect(status.message).toBe(
      'Apply failed with 1 conflict: conflict with "fedgate" using apps/v1: .spec.replicas',
    );
    // The same value is shared ownership, not a conflict.
    await apply(deployment('ssa-conflict', 2, [{ name: 'app', image: 'nginx:1.26' }]), 'other');
    const forced = await apply(
      deployment('ssa-conflict', 5, [{ name: 'app', image: 'nginx:1.26' }]),
      'hpa',
      true,
    );
    expect(forced.spec?.replicas).toBe(5);
    const fedgate = forced.metadata?.managedFields?.find((m) => m.manager === 'fedgate');
    expect(JSON.stringify(fedgate?.fieldsV1)).not.toContain('f:replicas');
    expect(forced.metadata?.generation).toBe(2);
  });

  it('merges containers by name and removes a container its manager dropped', async () => {
    await apply(
      deployment('ssa-list', 1, [
        { name: 'app', image: 'a:1' },
        { name: 'sidecar', image: 's:1' },
      ]),
      'fedgate',
    );
    const out = await apply(deployment('ssa-list', 1, [{ name: 'app', image: 'a:2' }]), 'fedgate');
    const containers = (out.spec!.template as { spec: { containers: { name: string; image: string }[] } })
      .spec.containers;
    expect(containers.map((x) => `${x.name}=${x.image}`)).toEqual(['app=a:2']);
  });

  it('reports a conflict for a kubectl-edit style update owner, listing paths in the message', async () => {
    await apply(cm('ssa-edit', { a: '1', b: '1' }), 'fedgate');
    const live = await c.core.readNamespacedConfigMap({ name: 'ssa-edit', namespace: 'default' });
    await c.core.replaceNamespacedConfigMap({
      name: 'ssa-edit',
      namespace: 'default',
      body: { ...live, data: { a: '2', b: '2' } },
      fieldManager: 'kubectl-edit',
    });
    const err = await apiError(apply(cm('ssa-edit', { a: '1', b: '1' }), 'fedgate'));
    expect(statusOf(err).message).toContain(
      'Apply failed with 2 conflicts: conflicts with "kubectl-edit" using v1:',
    );
    expect(statusOf(err).message).toContain('- .data.a');
  });

  it('accepts YAML apply bodies and requires a field manager', async () => {
    const yaml =
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa-yaml\n  namespace: default\ndata:\n  k: v\n';
    const res = await fetch(`${sim.url}/api/v1/namespaces/default/configmaps/ssa-yaml?fieldManager=cli`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/apply-patch+yaml' },
      body: yaml,
    });
    expect(res.status).toBe(201);
    const noManager = await fetch(`${sim.url}/api/v1/namespaces/default/configmaps/ssa-yaml`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/apply-patch+yaml' },
      body: yaml,
    });
    expect(noManager.status).toBe(422);
  });

  it('supports dryRun on apply', async () => {
    const res = await c.objects.patch(
      cm('ssa-dry', { a: '1' }),
      undefined,
      'All',
      'fedgate',
      false,
      k8s.PatchStrategy.ServerSideApply,
    );
    expect(res.metadata?.name).toBe('ssa-dry');
    expect(sim.object('v1/configmaps', 'default', 'ssa-dry')).toBeUndefined();
  });
});

describe('other patches', () => {
  it('merge patch updates and deletes keys', async () => {
    await c.core.createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { name: 'mp' }, data: { a: '1', b: '2' } },
    });
    const out = await c.core.patchNamespacedConfigMap(
      { name: 'mp', namespace: 'default', body: { data: { a: null, c: '3' } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
    expect(out.data).toEqual({ b: '2', c: '3' });
  });

  it('json patch applies operations and reports a failed test as 422', async () => {
    await c.core.createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { name: 'jp' }, data: { a: '1' } },
    });
    const out = await c.core.patchNamespacedConfigMap({
      name: 'jp',
      namespace: 'default',
      body: [{ op: 'add', path: '/data/b', value: '2' }],
    });
    expect(out.data).toEqual({ a: '1', b: '2' });
    const err = await apiError(
      c.core.patchNamespacedConfigMap({
        name: 'jp',
        namespace: 'default',
        body: [{ op: 'test', path: '/data/a', value: 'x' }],
      }),
    );
    expect(err.code).toBe(422);
  });

  it('strategic merge patch merges containers by name', async () => {
    await apply(
      deployment('smp', 1, [
        { name: 'app', image: 'a:1' },
        { name: 'side', image: 's:1' },
      ]),
      'fedgate',
    );
    const out = (await c.objects.patch(
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'smp', namespace: 'default' },
        spec: { template: { spec: { containers: [{ name: 'side', image: 's:2' }] } } },
      } as Obj,
      undefined,
      undefined,
      undefined,
      undefined,
      k8s.PatchStrategy.StrategicMergePatch,
    )) as Obj;
    const containers = (out.spec!.template as { spec: { containers: { name: string; image: string }[] } })
      .spec.containers;
    expect(containers.map((x) => `${x.name}=${x.image}`)).toEqual(['app=a:1', 'side=s:2']);
  });

  it('rejects unknown patch types with 415 and stale resourceVersions with 409', async () => {
    const res = await fetch(`${sim.url}/api/v1/namespaces/default/configmaps/mp`, {
      method: 'PATCH',
      headers: { 'content-type': 'text/plain' },
      body: 'x',
    });
    expect(res.status).toBe(415);
    expect(await res.json()).toMatchObject({ kind: 'Status', reason: 'UnsupportedMediaType', code: 415 });
    const stale = await apiError(
      c.core.patchNamespacedConfigMap(
        { name: 'mp', namespace: 'default', body: { metadata: { resourceVersion: '1' }, data: { z: '1' } } },
        k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
      ),
    );
    expect(stale.code).toBe(409);
  });

  it('keeps status out of main-resource writes and generation on status writes', async () => {
    const d = await apply(deployment('gen', 0, [{ name: 'app', image: 'a:1' }]), 'fedgate');
    const patched = await c.objects.patch(
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'gen', namespace: 'default', labels: { x: 'y' } },
      } as Obj,
      undefined,
      undefined,
      undefined,
      undefined,
      k8s.PatchStrategy.MergePatch,
    );
    expect(patched.metadata?.generation).toBe(d.metadata?.generation);
    const scaled = await c.apps.replaceNamespacedDeploymentScale({
      name: 'gen',
      namespace: 'default',
      body: { metadata: { name: 'gen' }, spec: { replicas: 0 } },
    });
    expect(scaled.kind).toBe('Scale');
  });
});
