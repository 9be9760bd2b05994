import { describe, expect, it } from 'vitest';
import { diffManaged, retainIgnored } from '../../../placement/drift/diff.js';
import { parsePointer, pointerMatches } from '../../../placement/drift/pointer.js';
import { placementPolicySpecSchema } from '../../../placement/policy/schema.js';

/** What fedgate applies: the template with ownership labels, no server fields. */
const desired = () => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: {
    name: 'web',
    namespace: 'shop',
    labels: { app: 'web', 'app.kubernetes.io/managed-by': 'fedgate' },
    annotations: { 'fedgate.dev/binding': 'shop/web-deployment' },
  },
  spec: {
    replicas: 4,
    selector: { matchLabels: { app: 'web' } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: {
        containers: [
          {
            name: 'web',
            image: 'nginx:1.27',
            args: ['--port', '8080'],
            ports: [{ containerPort: 8080 }],
            env: [{ name: 'MODE', value: 'prod' }],
            resources: { requests: { cpu: '0.5', memory: '1Gi' } },
          },
        ],
      },
    },
  },
});

/** What the cluster returns: the same, defaulted, with server fields and another manager's additions. */
const live = () => {
  const d = desired();
  const web = {
    ...d.spec.template.spec.containers[0]!,
    ports: [{ containerPort: 8080, protocol: 'TCP' }],
    imagePullPolicy: 'IfNotPresent',
    terminationMessagePath: '/dev/termination-log',
    resources: { requests: { cpu: '500m', memory: '1024Mi' } },
  };
  // Another manager's sidecar, injected first.
  const sidecar = { name: 'istio-proxy', image: 'istio/proxyv2:1.22' } as unknown as typeof web;
  return {
    ...d,
    metadata: {
      ...d.metadata,
      uid: 'u-1',
      resourceVersion: '123',
      generation: 2,
      creationTimestamp: '2026-01-01T00:00:00Z',
      managedFields: [{ manager: 'fedgate', operation: 'Apply' }],
      labels: { ...d.metadata.labels, 'team.example/owner': 'ops' },
    },
    spec: {
      ...d.spec,
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } },
      template: {
        metadata: { labels: { app: 'web' }, creationTimestamp: null },
        spec: {
          restartPolicy: 'Always',
          dnsPolicy: 'ClusterFirst',
          containers: [sidecar, web],
        },
      },
    },
    status: { replicas: 4, readyReplicas: 4, observedGeneration: 2 },
  };
};

describe('diffManaged', () => {
  it('finds nothing when only server fields, defaults, other managers and canonical forms differ', () => {
    expect(diffManaged(desired(), live())).toEqual([]);
  });

  it('reports a changed image at the index of the container in the desired manifest', () => {
    const l = live();
    l.spec.template.spec.containers[1]!.image = 'nginx:hacked';
    l.spec.replicas = 1;
    expect(diffManaged(desired(), l)).toEqual([
      { path: '/spec/replicas', desired: 4, live: 1 },
      { path: '/spec/template/spec/containers/0/image', desired: 'nginx:1.27', live: 'nginx:hacked' },
    ]);
  });

  it('escapes label keys in paths and reports a removed label', () => {
    const l = live();
    const { 'app.kubernetes.io/managed-by': _gone, ...labels } = l.metadata.labels;
    l.metadata.labels = labels as typeof l.metadata.labels;
    expect(diffManaged(desired(), l).map((d) => d.path)).toEqual([
      '/metadata/labels/app.kubernetes.io~1managed-by',
    ]);
  });

  it('compares lists of scalars whole, and keyed lists item by item', () => {
    const l = live();
    const c = l.spec.template.spec.containers[1]!;
    c.args = ['--port', '9090'];
    c.env = [
      { name: 'EXTRA', value: 'x' },
      { name: 'MODE', value: 'dev' },
    ];
    expect(diffManaged(desired(), l)).toEqual([
      {
        path: '/spec/template/spec/containers/0/args',
        desired: ['--port', '8080'],
        live: ['--port', '9090'],
      },
      { path: '/spec/template/spec/containers/0/env/0/value', desired: 'prod', live: 'dev' },
    ]);
  });

  it('reports a removed list item and a removed container port', () => {
    const l = live();
    l.spec.template.spec.containers[1]!.ports = [{ containerPort: 9090, protocol: 'TCP' }];
    l.spec.template.spec.containers[1]!.env = [];
    expect(diffManaged(desired(), l).map((d) => d.path)).toEqual([
      '/spec/template/spec/containers/0/env/0',
      '/spec/template/spec/containers/0/ports/0',
    ]);
  });

  it('reports a quantity only when its value changed', () => {
    const l = live();
    l.spec.template.spec.containers[1]!.resources.requests.cpu = '250m';
    expect(diffManaged(desired(), l)).toEqual([
      { path: '/spec/template/spec/containers/0/resources/requests/cpu', desired: '0.5', live: '250m' },
    ]);
  });

  it('leaves out ignored fields, by exact path, by prefix, by wildcard and by list key', () => {
    const l = live();
    l.spec.replicas = 9;
    l.spec.template.spec.containers[1]!.image = 'nginx:hacked';
    l.metadata.annotations = { 'fedgate.dev/binding': 'x' };
    expect(diffManaged(desired(), l, { ignoreFields: ['/spec/replicas'] }).map((d) => d.path)).toEqual([
      '/metadata/annotations/fedgate.dev~1binding',
      '/spec/template/spec/containers/0/image',
    ]);
    expect(diffManaged(desired(), l, { ignoreFields: ['/spec', '/metadata/annotations'] })).toEqual([]);
    for (const p of ['/spec/template/spec/containers/*/image', '/spec/template/spec/containers/web/image']) {
      expect(diffManaged(desired(), l, { ignoreFields: [p, '/spec/replicas', '/metadata'] })).toEqual([]);
    }
  });

  it('treats zero values as equal to an absent field (omitempty) but not to a set one', () => {
    const d = { spec: { paused: false, minReadySeconds: 0, note: '', extra: {}, list: [] } };
    expect(diffManaged(d, { spec: {} })).toEqual([]);
    expect(diffManaged(d, { spec: { paused: true } })).toEqual([
      { path: '/spec/paused', desired: false, live: true },
    ]);
  });

  it("compares a Secret's stringData with the data the apiserver stores", () => {
    const d = { kind: 'Secret', stringData: { password: 's3cret' }, data: { a: 'YQ==' } };
    const same = {
      kind: 'Secret',
      type: 'Opaque',
      data: { a: 'YQ==', password: Buffer.from('s3cret').toString('base64') },
    };
    expect(diffManaged(d, same)).toEqual([]);
    const changed = { ...same, data: { ...same.data, password: 'eA==' } };
    expect(diffManaged(d, changed).map((x) => x.path)).toEqual(['/data/password']);
  });

  it('matches Service ports by port and protocol', () => {
    const d = {
      spec: {
        ports: [
          { port: 80, targetPort: 8080 },
          { port: 53, protocol: 'UDP' },
        ],
      },
    };
    const l = {
      spec: {
        ports: [
          { port: 53, protocol: 'UDP', targetPort: 53 },
          { port: 80, protocol: 'TCP', targetPort: 8080 },
        ],
      },
    };
    expect(diffManaged(d, l)).toEqual([]);
    l.spec.ports[1]!.targetPort = 9090;
    expect(diffManaged(d, l).map((x) => x.path)).toEqual(['/spec/ports/0/targetPort']);
  });

  it('reports a whole object or list replaced by a value of another shape', () => {
    expect(diffManaged({ spec: { a: { b: 1 } } }, { spec: { a: 'x' } })).toEqual([
      { path: '/spec/a', desired: { b: 1 }, live: 'x' },
    ]);
  });
});

describe('retainIgnored', () => {
  it('keeps the live value of an ignored field and changes nothing else', () => {
    const l = live();
    l.spec.replicas = 7;
    l.spec.template.spec.containers[1]!.image = 'nginx:hacked';
    const d = desired();
    const body = retainIgnored(d, l, ['/spec/replicas']);
    expect(body.spec.replicas).toBe(7);
    expect(body.spec.template.spec.containers[0]!.image).toBe('nginx:1.27');
    expect(d.spec.replicas).toBe(4); // the input is not modified
    expect(retainIgnored(d, l, [])).toBe(d);
  });

  it('follows keyed list items to the live item, and leaves out what the live object lacks', () => {
    const l = live();
    l.spec.template.spec.containers[1]!.image = 'mirror/nginx:1.27';
    l.spec.template.spec.containers[1]!.env = [];
    const { app: _gone, ...labels } = l.metadata.labels;
    l.metadata.labels = labels as typeof l.metadata.labels;
    const body = retainIgnored(desired(), l, [
      '/spec/template/spec/containers/web/image',
      '/spec/template/spec/containers/*/env',
      '/metadata/labels/app',
    ]);
    expect(body.spec.template.spec.containers[0]).toMatchObject({ image: 'mirror/nginx:1.27', env: [] });
    expect(body.metadata.labels).toEqual({ 'app.kubernetes.io/managed-by': 'fedgate' });
    expect(diffManaged(body, l)).toEqual([]);
  });

  it('removes several ignored list items without shifting the others', () => {
    const d = { spec: { args: ['x'], items: [{ v: 1 }, { v: 2 }, { v: 3 }] } };
    const body = retainIgnored(d, { spec: { args: ['x'], items: [{ v: 1 }] } }, ['/spec/items']);
    expect(body.spec.items).toEqual([{ v: 1 }]);
  });
});

describe('JSON pointers', () => {
  it('parses escaped segments', () => {
    expect(parsePointer('/metadata/labels/a~1b~0c')).toEqual(['metadata', 'labels', 'a/b~c']);
    expect(parsePointer('')).toEqual([]);
  });

  it('matches prefixes segment by segment, not by string', () => {
    const path = [{ key: 'spec' }, { key: 'replicasMax' }];
    expect(pointerMatches('/spec/replicas', path)).toBe(false);
    expect(pointerMatches('/spec', path)).toBe(true);
  });
});

describe('drift in the PlacementPolicy schema', () => {
  const base = { resourceSelectors: [{ apiVersion: 'apps/v1', kind: 'Deployment' }] };

  it('defaults the mode to Restore', () => {
    const spec = placementPolicySpecSchema.parse({ ...base, drift: {} });
    expect(spec.drift).toEqual({ mode: 'Restore' });
  });

  it('refuses an unknown mode and a path that is not a JSON pointer, with the field path', () => {
    const bad = placementPolicySpecSchema.safeParse({
      ...base,
      drift: { mode: 'Ignore', ignoreFields: ['spec.replicas'] },
    });
    expect(bad.success).toBe(false);
    const paths = bad.error?.issues.map((i) => i.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['drift.mode', 'drift.ignoreFields.0']));
  });
});

describe('diffManaged on a very large object', () => {
  const N = 10_000;
  const container = (i: number) => ({
    name: `c${i}`,
    image: `img:${i}`,
    env: [{ name: 'I', value: String(i) }],
  });
  const deployment = (containers: unknown[]) => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'huge', namespace: 'shop' },
    spec: { template: { spec: { containers } } },
  });

  it('matches 10,000 containers by name in one pass over each list, and finds exactly what changed', () => {
    const want = deployment(Array.from({ length: N }, (_, i) => container(i)));
    // The cluster lists them in another order, changed one image, and added a sidecar of its own.
    const liveItems = Array.from({ length: N }, (_, i) => container(N - 1 - i));
    liveItems[N - 1 - 7777]!.image = 'img:tampered';
    liveItems.push({ name: 'istio-proxy', image: 'proxy', env: [] });
    // Count how often a live container's name is read: a search per desired container reads it
    // O(n²) times (50 million here), an index once per item.
    let nameReads = 0;
    const counted = liveItems.map(
      (c) =>
        new Proxy(c, {
          get(target, prop, receiver) {
            if (prop === 'name') nameReads++;
            return Reflect.get(target, prop, receiver);
          },
        }),
    );
    const drift = diffManaged(want, deployment(counted));
    expect(drift).toEqual([
      { path: '/spec/template/spec/containers/7777/image', desired: 'img:7777', live: 'img:tampered' },
    ]);
    expect(nameReads).toBeLessThanOrEqual(3 * (N + 1));
    expect(diffManaged(want, deployment(liveItems.filter((c) => c.name !== 'c42')))).toEqual([
      { path: '/spec/template/spec/containers/42', desired: container(42), live: undefined },
      { path: '/spec/template/spec/containers/7777/image', desired: 'img:7777', live: 'img:tampered' },
    ]);
  });
});
