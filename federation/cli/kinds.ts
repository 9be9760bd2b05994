import { CLUSTER_SCOPED_KUBE_KINDS, FEDGATE_KINDS, type Scope } from '../resources/kinds.js';
import { FEDGATE_GROUP, parseTypeKey, typeKey } from '../resources/resource-type.js';
import { usageError } from './errors.js';

/** A kind the CLI knows by name. */
export interface CliKind {
  readonly kind: string;
  readonly group: string;
  readonly version: string;
  readonly plural: string;
  readonly shortNames: readonly string[];
  readonly scope: Scope;
}

/** A resolved kind: what the API calls it (`typeKey`) and how to print it. */
export interface ResolvedKind extends CliKind {
  readonly typeKey: string;
  /** kubectl-style resource name: `deployment.apps`, `configmap`, `membercluster.fedgate.dev`. */
  readonly display: string;
}

const k = (
  kind: string,
  apiVersion: string,
  plural: string,
  shortNames: string[] = [],
  scope: Scope = 'Namespaced',
): CliKind => {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  return { kind, group: group!, version: version!, plural, shortNames, scope };
};

/** Common Kubernetes kinds, so `get deploy` works without a type key. */
const KUBE_KINDS: readonly CliKind[] = [
  k('Deployment', 'apps/v1', 'deployments', ['deploy']),
  k('StatefulSet', 'apps/v1', 'statefulsets', ['sts']),
  k('DaemonSet', 'apps/v1', 'daemonsets', ['ds']),
  k('ReplicaSet', 'apps/v1', 'replicasets', ['rs']),
  k('Pod', 'v1', 'pods', ['po']),
  k('Service', 'v1', 'services', ['svc']),
  k('ConfigMap', 'v1', 'configmaps', ['cm']),
  k('Secret', 'v1', 'secrets'),
  k('ServiceAccount', 'v1', 'serviceaccounts', ['sa']),
  k('PersistentVolumeClaim', 'v1', 'persistentvolumeclaims', ['pvc']),
  k('PersistentVolume', 'v1', 'persistentvolumes', ['pv'], 'Cluster'),
  k('Namespace', 'v1', 'namespaces', ['ns'], 'Cluster'),
  k('LimitRange', 'v1', 'limitranges', ['limits']),
  k('ResourceQuota', 'v1', 'resourcequotas', ['quota']),
  k('Ingress', 'networking.k8s.io/v1', 'ingresses', ['ing']),
  k('IngressClass', 'networking.k8s.io/v1', 'ingressclasses', [], 'Cluster'),
  k('NetworkPolicy', 'networking.k8s.io/v1', 'networkpolicies', ['netpol']),
  k('Job', 'batch/v1', 'jobs'),
  k('CronJob', 'batch/v1', 'cronjobs', ['cj']),
  k('HorizontalPodAutoscaler', 'autoscaling/v2', 'horizontalpodautoscalers', ['hpa']),
  k('PodDisruptionBudget', 'policy/v1', 'poddisruptionbudgets', ['pdb']),
  k('Role', 'rbac.authorization.k8s.io/v1', 'roles'),
  k('RoleBinding', 'rbac.authorization.k8s.io/v1', 'rolebindings'),
  k('ClusterRole', 'rbac.authorization.k8s.io/v1', 'clusterroles', [], 'Cluster'),
  k('ClusterRoleBinding', 'rbac.authorization.k8s.io/v1', 'clusterrolebindings', [], 'Cluster'),
  k('StorageClass', 'storage.k8s.io/v1', 'storageclasses', ['sc'], 'Cluster'),
  k('PriorityClass', 'scheduling.k8s.io/v1', 'priorityclasses', ['pc'], 'Cluster'),
  k(
    'CustomResourceDefinition',
    'apiextensions.k8s.io/v1',
    'customresourcedefinitions',
    ['crd', 'crds'],
    'Cluster',
  ),
];

/** fedgate's own kinds, from the resource model. */
const OWN_KINDS: readonly CliKind[] = [...FEDGATE_KINDS.values()].map((f) => ({
  kind: f.kind,
  group: FEDGATE_GROUP,
  version: 'v1alpha1',
  plural: f.plural,
  shortNames: f.shortNames,
  scope: f.scope,
}));

/** Every kind known by name, fedgate's first. */
export const KNOWN_KINDS: readonly CliKind[] = [...OWN_KINDS, ...KUBE_KINDS];

const VERSION = /^v[0-9]+((alpha|beta)[0-9]+)?$/;

/**
 * Resolves what a user typed as a kind: singular, plural or short name in any case (`deploy`,
 * `Deployments`, `mc`), `plural.group` (`deployments.apps`), or an explicit type key
 * (`Widget.v1.example.com`). Anything else is a usage error (exit 2) listing examples.
 */
export function resolveKind(input: string): ResolvedKind {
  const s = input.trim();
  const parts = s.split('.');
  if (parts.length >= 2 && VERSION.test(parts[1]!)) return fromTypeKey(s, parts);
  const lower = s.toLowerCase();
  if (parts.length >= 2) {
    const name = parts[0]!.toLowerCase();
    const group = parts.slice(1).join('.').toLowerCase();
    const hit = KNOWN_KINDS.find((c) => c.group === group && names(c).includes(name));
    if (hit) return resolved(hit);
    throw unknownKind(
      input,
      'for a custom resource, give its type key Kind.version.group, e.g. Widget.v1.example.com',
    );
  }
  const hit = KNOWN_KINDS.find((c) => names(c).includes(lower));
  if (hit) return resolved(hit);
  throw unknownKind(input);
}

function fromTypeKey(s: string, parts: string[]): ResolvedKind {
  const group = parts.slice(2).join('.');
  const known = KNOWN_KINDS.find(
    (c) => c.group === group && c.version === parts[1] && names(c).includes(parts[0]!.toLowerCase()),
  );
  if (known) return resolved(known);
  let t: ReturnType<typeof parseTypeKey>;
  try {
    t = parseTypeKey(s);
  } catch {
    throw unknownKind(
      s,
      'a type key is Kind.version[.group] with a capitalised Kind, e.g. Widget.v1.example.com',
    );
  }
  if (group === FEDGATE_GROUP) throw unknownKind(s);
  return resolved({
    kind: t.kind,
    group: t.group,
    version: t.version,
    plural: `${t.kind.toLowerCase()}s`,
    shortNames: [],
    scope: CLUSTER_SCOPED_KUBE_KINDS.has(t.kind) ? 'Cluster' : 'Namespaced',
  });
}

/** Resolves the kind of a manifest (its apiVersion and kind). */
export function kindOfManifest(apiVersion: string, kind: string): ResolvedKind {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  const known = KNOWN_KINDS.find((c) => c.kind === kind && c.group === group && c.version === version);
  if (known) return resolved(known);
  return resolveKind(group ? `${kind}.${version}.${group}` : `${kind}.${version}`);
}

/** The kubectl-style display name of a type key (`deployment.apps`, `configmap`). */
export function displayOfTypeKey(key: string): string {
  try {
    const t = parseTypeKey(key);
    return t.group === '' ? t.kind.toLowerCase() : `${t.kind.toLowerCase()}.${t.group}`;
  } catch {
    return key;
  }
}

function names(c: CliKind): string[] {
  return [c.kind.toLowerCase(), c.plural, ...c.shortNames];
}

function resolved(c: CliKind): ResolvedKind {
  const key = typeKey({ group: c.group, version: c.version, kind: c.kind });
  return { ...c, typeKey: key, display: displayOfTypeKey(key) };
}

function unknownKind(input: string, hint?: string) {
  return usageError(
    `unknown kind "${input}"${hint ? `: ${hint}` : ''} (examples: memberclusters (mc), placementpolicies (pp), bindings, deployments (deploy), services (svc), configmaps (cm), deployments.apps, Widget.v1.example.com)`,
  );
}
