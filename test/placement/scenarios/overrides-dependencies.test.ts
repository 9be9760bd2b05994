/**
 * Overrides (the manifest one cluster receives) and dependency discovery (the ConfigMaps, Secrets,
 * ServiceAccounts and PVCs that follow a workload).
 */
import { describe, expect, it } from 'vitest';
import {
  JsonPatchError,
  type KubeObject,
  type PlacementPolicySpecInput,
  placeDependencies,
  referencedDependencies,
  renderForCluster,
  rewriteImage,
} from '../../../placement/index.js';
import { cluster, spec } from '../helpers.js';

const aws = cluster('aws-fra', { provider: 'aws', region: 'eu-central-1', labels: { env: 'prod' } });
const gcp = cluster('gcp-bel', { provider: 'gcp', region: 'europe-west1' });

function deployment(): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: 'web',
      namespace: 'shop',
      labels: { app: 'web', team: 'a' },
      annotations: { note: 'x' },
    },
    spec: {
      replicas: 6,
      template: {
        spec: {
          initContainers: [{ name: 'migrate', image: 'shop/migrate:1.0' }],
          containers: [
            {
              name: 'web',
              image: 'docker.io/shop/web:2.3@sha256:abc',
              env: [
                { name: 'MODE', value: 'default' },
                { name: 'DEBUG', value: '1' },
              ],
              resources: { requests: { cpu: '250m' } },
            },
            { name: 'sidecar', image: 'envoyproxy/envoy:v1.30' },
          ],
        },
      },
    },
  };
}

type Rule = NonNullable<PlacementPolicySpecInput['overrides']>[number];
const withRules = (...overrides: Rule[]) => spec({ overrides });
const containers = (m: KubeObject) =>
  (
    m.spec as {
      template: {
        spec: { containers: Record<string, unknown>[]; initContainers: Record<string, unknown>[] };
      };
    }
  ).template.spec;

describe('overrides: renderForCluster', () => {
  it('sets the scheduled replicas and leaves non-matching clusters and the input untouched', () => {
    const input = deployment();
    const before = structuredClone(input);
    const p = withRules({ clusterSelector: { providers: ['gcp'] }, image: { registry: 'mirror.example' } });
    const out = renderForCluster(input, p, aws, 4);
    expect(out.spec).toMatchObject({ replicas: 4 });
    expect(containers(out).containers[0]?.image).toBe('docker.io/shop/web:2.3@sha256:abc');
    expect(input).toEqual(before);
  });

  it('image: a Docker Hub official image gets its library/ path on a mirror, however it is spelled', () => {
    const images = [
      'busybox',
      'busybox:1.36',
      'docker.io/busybox',
      'docker.io/library/nginx:1.27',
      'nginx@sha256:abc',
    ];
    expect(images.map((i) => rewriteImage(i, { registry: 'mirror.example' }))).toEqual([
      'mirror.example/library/busybox',
      'mirror.example/library/busybox:1.36',
      'mirror.example/library/busybox',
      'mirror.example/library/nginx:1.27',
      'mirror.example/library/nginx@sha256:abc',
    ]);
    // Not Docker Hub, or a user's repository: the path is kept as it is.
    expect(rewriteImage('quay.io/busybox', { registry: 'mirror.example' })).toBe('mirror.example/busybox');
    expect(rewriteImage('envoyproxy/envoy:v1', { registry: 'mirror.example' })).toBe(
      'mirror.example/envoyproxy/envoy:v1',
    );
    // An explicit repository wins.
    expect(rewriteImage('busybox', { registry: 'mirror.example', repository: 'tools/bb' })).toBe(
      'mirror.example/tools/bb',
    );
  });

  it('image: registry keeps repository, tag and digest; repository or tag drop the digest; containers narrow it', () => {
    const registry = renderForCluster(
      deployment(),
      withRules({ clusterSelector: {}, image: { registry: 'mirror.ecr.example.com' } }),
      aws,
      6,
    );
    expect(containers(registry).containers.map((c) => c.image)).toEqual([
      'mirror.ecr.example.com/shop/web:2.3@sha256:abc',
      'mirror.ecr.example.com/envoyproxy/envoy:v1.30',
    ]);
    expect(containers(registry).initContainers[0]?.image).toBe('mirror.ecr.example.com/shop/migrate:1.0');
    const tag = renderForCluster(
      deployment(),
      withRules({ clusterSelector: {}, image: { tag: '2.4', containers: ['web'] } }),
      aws,
      6,
    );
    expect(containers(tag).containers.map((c) => c.image)).toEqual([
      'docker.io/shop/web:2.4',
      'envoyproxy/envoy:v1.30',
    ]);
    const repo = renderForCluster(
      deployment(),
      withRules({ clusterSelector: {}, image: { repository: 'eu/web', containers: ['web'] } }),
      aws,
      6,
    );
    expect(containers(repo).containers[0]?.image).toBe('docker.io/eu/web:2.3');
  });

  it('replicas, env, resources, labels and annotations per cluster', () => {
    const p = withRules({
      clusterSelector: { labelSelector: { matchLabels: { env: 'prod' } } },
      replicas: 2,
      env: [
        { name: 'MODE', value: 'eu' },
        { name: 'DEBUG', remove: true },
        { name: 'REGION', value: 'fra', containers: ['sidecar'] },
      ],
      resources: [
        { containers: ['web'], requests: { cpu: '500m', memory: '1Gi' }, limits: { memory: '2Gi' } },
      ],
      labels: { team: null, cloud: 'aws' },
      annotations: { note: null, 'fedgate.dev/region': 'eu-central-1' },
    });
    const out = renderForCluster(deployment(), p, aws, 4);
    // An explicit replicas override wins over the scheduled split for that cluster.
    expect(out.spec).toMatchObject({ replicas: 2 });
    const [web, sidecar] = containers(out).containers;
    expect(web?.env).toEqual([{ name: 'MODE', value: 'eu' }]);
    expect(sidecar?.env).toEqual([
      { name: 'MODE', value: 'eu' },
      { name: 'REGION', value: 'fra' },
    ]);
    expect(web?.resources).toEqual({ requests: { cpu: '500m', memory: '1Gi' }, limits: { memory: '2Gi' } });
    expect(out.metadata.labels).toEqual({ app: 'web', cloud: 'aws' });
    expect(out.metadata.annotations).toEqual({ 'fedgate.dev/region': 'eu-central-1' });
    // The GCP cluster gets none of it.
    const other = renderForCluster(deployment(), p, gcp, 4);
    expect(other.spec).toMatchObject({ replicas: 4 });
    expect(other.metadata.labels).toEqual({ app: 'web', team: 'a' });
  });

  it('rules apply in policy order (a later rule wins), jsonPatch last', () => {
    const p = withRules(
      { clusterSelector: {}, image: { tag: 'a' }, labels: { stage: 'one' } },
      {
        clusterSelector: { providers: ['aws'] },
        image: { tag: 'b' },
        labels: { stage: 'two' },
        jsonPatch: [
          {
            op: 'add',
            path: '/spec/template/spec/nodeSelector',
            value: { 'topology.kubernetes.io/zone': 'eu-central-1a' },
          },
          { op: 'replace', path: '/metadata/labels/stage', value: 'patched' },
        ],
      },
    );
    const out = renderForCluster(deployment(), p, aws, 6);
    expect(containers(out).containers[1]?.image).toBe('envoyproxy/envoy:b');
    expect(out.metadata.labels?.stage).toBe('patched');
    expect((out.spec as { template: { spec: Record<string, unknown> } }).template.spec.nodeSelector).toEqual({
      'topology.kubernetes.io/zone': 'eu-central-1a',
    });
    expect(renderForCluster(deployment(), p, gcp, 6).metadata.labels?.stage).toBe('one');
  });

  it('a jsonPatch that does not apply fails with the failing operation', () => {
    const p = withRules({
      clusterSelector: {},
      jsonPatch: [
        { op: 'test', path: '/spec/replicas', value: 6 },
        { op: 'remove', path: '/spec/doesNotExist' },
      ],
    });
    expect(() => renderForCluster(deployment(), p, aws, 6)).toThrow(JsonPatchError);
    expect(() => renderForCluster(deployment(), p, aws, 6)).toThrow(
      'jsonPatch[1]: path /spec/doesNotExist does not exist',
    );
  });
});

describe('dependencies', () => {
  const web: KubeObject = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'shop' },
    spec: {
      template: {
        spec: {
          serviceAccountName: 'web-sa',
          imagePullSecrets: [{ name: 'registry-cred' }],
          volumes: [
            { name: 'conf', configMap: { name: 'web-config' } },
            { name: 'tls', secret: { secretName: 'web-tls' } },
            { name: 'cache', persistentVolumeClaim: { claimName: 'web-cache' } },
            {
              name: 'all',
              projected: {
                sources: [{ configMap: { name: 'feature-flags' } }, { secret: { name: 'api-keys' } }],
              },
            },
            { name: 'tmp', emptyDir: {} },
          ],
          initContainers: [{ name: 'init', envFrom: [{ configMapRef: { name: 'init-env' } }] }],
          containers: [
            {
              name: 'web',
              env: [
                { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } },
                { name: 'COLOR', valueFrom: { configMapKeyRef: { name: 'web-config', key: 'color' } } },
                { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
              ],
              envFrom: [{ secretRef: { name: 'web-env' } }],
            },
          ],
        },
      },
    },
  };
  const ref = (kind: string, name: string) => ({ apiVersion: 'v1', kind, namespace: 'shop', name });

  it('finds every ConfigMap, Secret, ServiceAccount and PVC a pod template references, once each, sorted', () => {
    expect(referencedDependencies(web)).toEqual([
      ref('ConfigMap', 'feature-flags'),
      ref('ConfigMap', 'init-env'),
      ref('ConfigMap', 'web-config'),
      ref('PersistentVolumeClaim', 'web-cache'),
      ref('Secret', 'api-keys'),
      ref('Secret', 'db'),
      ref('Secret', 'registry-cred'),
      ref('Secret', 'web-env'),
      ref('Secret', 'web-tls'),
      ref('ServiceAccount', 'web-sa'),
    ]);
  });

  it('a StatefulSet: its volumeClaimTemplates travel with it, not as separate PVCs; the default SA is not a dependency', () => {
    const sts: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'ledger', namespace: 'finance' },
      spec: {
        template: {
          spec: {
            serviceAccountName: 'default',
            containers: [
              {
                name: 'ledger',
                volumeMounts: [{ name: 'data', mountPath: '/data' }],
                envFrom: [{ configMapRef: { name: 'ledger-env' } }],
              },
            ],
          },
        },
        volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'] } }],
      },
    };
    expect(referencedDependencies(sts)).toEqual([
      { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'finance', name: 'ledger-env' },
    ]);
    // Objects without a pod template reference nothing.
    expect(
      referencedDependencies({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: {} }),
    ).toEqual([]);
  });

  it('a dependency goes to the union of the clusters of the workloads using it, unless a policy opts out', () => {
    const api: KubeObject = structuredClone(web);
    api.metadata.name = 'api';
    const placed = placeDependencies([
      { manifest: web, clusters: ['aws-fra', 'gcp-bel'] },
      { manifest: api, clusters: [{ name: 'az-ams' }, { name: 'aws-fra' }] },
    ]);
    const config = placed.find((d) => d.ref.name === 'web-config');
    expect(config?.clusters).toEqual(['aws-fra', 'az-ams', 'gcp-bel']);
    expect(config?.requiredBy.map((r) => r.name)).toEqual(['web', 'api']);
    const optOut = placeDependencies([
      { manifest: web, clusters: ['aws-fra'] },
      { manifest: api, clusters: ['az-ams'], propagateDependencies: false },
    ]);
    expect(optOut.find((d) => d.ref.name === 'web-config')?.clusters).toEqual(['aws-fra']);
  });
});
