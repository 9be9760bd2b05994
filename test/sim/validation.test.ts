import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeSim } from '../../sim/kubernetes/index.js';
import { apiError, clientsFor, startTestSim } from './helpers.js';

let sim: KubeSim;
let c: ReturnType<typeof clientsFor>;

beforeAll(async () => {
  sim = await startTestSim({ events: false });
  c = clientsFor(sim);
});
afterAll(() => sim.close());

const deployment = (name: string, replicas: unknown) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: 'default' },
  spec: {
    replicas,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } },
  },
});

/** Server-side apply, as fedgate's provider does. */
const apply = (o: object) =>
  c.objects.patch(
    o as k8s.KubernetesObject,
    undefined,
    undefined,
    'fedgate',
    true,
    k8s.PatchStrategy.ServerSideApply,
  );

describe('the simulator refuses what a real API server refuses', () => {
  it('a ConfigMap whose data is over 1 MiB', async () => {
    const cm = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'x', namespace: 'default' },
      data: { a: 'x'.repeat(700 * 1024), b: 'y'.repeat(400 * 1024) },
    };
    const err = await apiError(apply(cm));
    expect(err.code).toBe(422);
    const body = JSON.parse(String(err.body));
    expect(body.message).toBe('ConfigMap "x" is invalid: []: Too long: must have at most 1048576 bytes');
    expect(body.details.causes).toEqual([
      { reason: 'FieldValueTooLong', message: 'Too long: must have at most 1048576 bytes', field: '[]' },
    ]);
    expect(sim.object('v1/configmaps', 'default', 'x')).toBeUndefined();
    // Just under the limit is fine.
    await apply({ ...cm, data: { a: 'x'.repeat(1024 * 1024) } });
    expect(sim.object('v1/configmaps', 'default', 'x')).toBeDefined();
  });

  it('a Secret whose data is over 1 MiB, and annotations over 256 KiB', async () => {
    const big = Buffer.alloc(1024 * 1024 + 1, 1).toString('base64');
    const secret = await apiError(
      apply({
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 's', namespace: 'default' },
        data: { k: big },
      }),
    );
    expect(secret.code).toBe(422);
    expect(JSON.parse(String(secret.body)).message).toBe(
      'Secret "s" is invalid: data: Too long: must have at most 1048576 bytes',
    );
    const annotated = await apiError(
      apply({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'noted', namespace: 'default', annotations: { a: 'z'.repeat(256 * 1024) } },
      }),
    );
    expect(JSON.parse(String(annotated.body)).message).toBe(
      'ConfigMap "noted" is invalid: metadata.annotations: Too long: must have at most 262144 bytes',
    );
  });

  it.each([
    ['"three"', 'three', 'FieldValueTypeInvalid'],
    ['2.5', 2.5, 'FieldValueTypeInvalid'],
    ['2^53', 2 ** 53, 'FieldValueInvalid'],
  ])('a Deployment with replicas %s: 422 Invalid with the field as cause', async (_l, replicas, reason) => {
    const err = await apiError(apply(deployment('bad', replicas)));
    expect(err.code).toBe(422);
    const body = JSON.parse(String(err.body));
    expect(body).toMatchObject({ kind: 'Status', reason: 'Invalid', code: 422 });
    expect(body.message).toMatch(/^Deployment\.apps "bad" is invalid: spec\.replicas: Invalid value/);
    expect(body.details.causes).toEqual([expect.objectContaining({ field: 'spec.replicas', reason })]);
    expect(sim.object('apps/v1/deployments', 'default', 'bad')).toBeUndefined();
  });

  it('ConfigMap data that is not strings', async () => {
    const err = await apiError(
      apply({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'typed', namespace: 'default' },
        data: { n: 3, b: true },
      }),
    );
    expect(err.code).toBe(422);
    const fields = JSON.parse(String(err.body)).details.causes.map((c: { field: string }) => c.field);
    expect(fields).toEqual(['data.n', 'data.b']);
  });

  it('a kind no CRD or built-in resource serves: 404, and the client finds no such kind', async () => {
    const squatter = {
      apiVersion: 'squatter.example.com/v1',
      kind: 'Deployment',
      metadata: { name: 'checkout', namespace: 'default' },
    };
    // client-node resolves the resource through discovery first, which lists no such group.
    await expect(c.objects.create(squatter as k8s.KubernetesObject)).rejects.toThrow(
      /squatter\.example\.com\/v1/,
    );
    const res = await fetch(`${sim.url}/apis/squatter.example.com/v1/namespaces/default/deployments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(squatter),
    });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ reason: 'NotFound', code: 404 });
    const typo = await fetch(`${sim.url}/apis/apps/v1/namespaces/default/deploymnets`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...squatter, apiVersion: 'apps/v1', kind: 'Deploymnet' }),
    });
    expect(typo.status).toBe(404);
  });

  it('still accepts a valid Deployment', async () => {
    await apply(deployment('good', 2));
    expect(sim.object('apps/v1/deployments', 'default', 'good')).toBeDefined();
  });
});
