/**
 * The catalogue of API resources a simulated cluster serves: the built-in kinds (with the same
 * plural, singular, short names and verbs as discovery on a real 1.32 cluster) plus kinds learnt
 * at run time — from a CustomResourceDefinition, or from the first write to an unknown
 * group/version/resource, which is how a cluster that already has the CRD installed looks.
 */

/** One served resource, as listed in discovery. */
export interface ResourceInfo {
  group: string;
  version: string;
  /** Plural lower-case name used in paths: 'deployments'. */
  resource: string;
  singularName: string;
  kind: string;
  namespaced: boolean;
  shortNames: string[];
  verbs: string[];
  categories?: string[];
  /** Subresources served (status, scale). */
  subresources: string[];
  /** True when generation bumps only on spec changes (workloads with a status subresource). */
  specGeneration: boolean;
}

const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

function builtin(
  group: string,
  version: string,
  resource: string,
  kind: string,
  namespaced: boolean,
  shortNames: string[] = [],
  subresources: string[] = [],
  categories?: string[],
): ResourceInfo {
  const info: ResourceInfo = {
    group,
    version,
    resource,
    singularName: kind.toLowerCase(),
    kind,
    namespaced,
    shortNames,
    verbs: ALL_VERBS,
    subresources,
    specGeneration: subresources.includes('status'),
  };
  if (categories) info.categories = categories;
  return info;
}

/** Built-in resources served by every simulated cluster. */
export const BUILTIN_RESOURCES: readonly ResourceInfo[] = [
  builtin('', 'v1', 'namespaces', 'Namespace', false, ['ns'], ['status']),
  builtin('', 'v1', 'nodes', 'Node', false, ['no'], ['status']),
  builtin('', 'v1', 'pods', 'Pod', true, ['po'], ['status'], ['all']),
  builtin('', 'v1', 'configmaps', 'ConfigMap', true, ['cm']),
  builtin('', 'v1', 'secrets', 'Secret', true),
  builtin('', 'v1', 'services', 'Service', true, ['svc'], ['status'], ['all']),
  builtin('', 'v1', 'serviceaccounts', 'ServiceAccount', true, ['sa']),
  builtin('', 'v1', 'events', 'Event', true, ['ev']),
  builtin('', 'v1', 'endpoints', 'Endpoints', true, ['ep']),
  builtin('', 'v1', 'persistentvolumeclaims', 'PersistentVolumeClaim', true, ['pvc'], ['status']),
  builtin('', 'v1', 'persistentvolumes', 'PersistentVolume', false, ['pv'], ['status']),
  builtin('', 'v1', 'limitranges', 'LimitRange', true, ['limits']),
  builtin('', 'v1', 'resourcequotas', 'ResourceQuota', true, ['quota'], ['status']),
  builtin('apps', 'v1', 'deployments', 'Deployment', true, ['deploy'], ['status', 'scale'], ['all']),
  builtin('apps', 'v1', 'statefulsets', 'StatefulSet', true, ['sts'], ['status', 'scale'], ['all']),
  builtin('apps', 'v1', 'replicasets', 'ReplicaSet', true, ['rs'], ['status', 'scale'], ['all']),
  builtin('apps', 'v1', 'daemonsets', 'DaemonSet', true, ['ds'], ['status'], ['all']),
  builtin('apps', 'v1', 'controllerrevisions', 'ControllerRevision', true),
  builtin('batch', 'v1', 'jobs', 'Job', true, [], ['status'], ['all']),
  builtin('batch', 'v1', 'cronjobs', 'CronJob', true, ['cj'], ['status'], ['all']),
  builtin('discovery.k8s.io', 'v1', 'endpointslices', 'EndpointSlice', true),
  builtin('networking.k8s.io', 'v1', 'ingresses', 'Ingress', true, ['ing'], ['status']),
  builtin('networking.k8s.io', 'v1', 'networkpolicies', 'NetworkPolicy', true, ['netpol']),
  builtin('policy', 'v1', 'poddisruptionbudgets', 'PodDisruptionBudget', true, ['pdb'], ['status']),
  builtin('rbac.authorization.k8s.io', 'v1', 'roles', 'Role', true),
  builtin('rbac.authorization.k8s.io', 'v1', 'rolebindings', 'RoleBinding', true),
  builtin('rbac.authorization.k8s.io', 'v1', 'clusterroles', 'ClusterRole', false),
  builtin('rbac.authorization.k8s.io', 'v1', 'clusterrolebindings', 'ClusterRoleBinding', false),
  builtin('coordination.k8s.io', 'v1', 'leases', 'Lease', true),
  builtin(
    'autoscaling',
    'v2',
    'horizontalpodautoscalers',
    'HorizontalPodAutoscaler',
    true,
    ['hpa'],
    ['status'],
    ['all'],
  ),
  builtin('storage.k8s.io', 'v1', 'storageclasses', 'StorageClass', false, ['sc']),
  builtin(
    'apiextensions.k8s.io',
    'v1',
    'customresourcedefinitions',
    'CustomResourceDefinition',
    false,
    ['crd', 'crds'],
    ['status'],
  ),
];

/** Groups the apiserver serves itself (core is ''): no CRD can add kinds to them. */
export const BUILTIN_GROUPS: ReadonlySet<string> = new Set(BUILTIN_RESOURCES.map((r) => r.group));

/** Key of a resource within a cluster, independent of version: 'apps/deployments', '/pods'. */
export function groupResourceKey(group: string, resource: string): string {
  return `${group}/${resource}`;
}

/** 'apps/v1' or 'v1' for the core group. */
export function apiVersionOf(group: string, version: string): string {
  return group ? `${group}/${version}` : version;
}

/** Splits an apiVersion into group and version. */
export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf('/');
  return slash < 0
    ? { group: '', version: apiVersion }
    : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

/** Resources served by one cluster: the built-ins plus kinds registered at run time. */
export class ResourceCatalogue {
  private readonly byPath = new Map<string, ResourceInfo>();
  private readonly byKind = new Map<string, ResourceInfo>();

  constructor(initial: readonly ResourceInfo[] = BUILTIN_RESOURCES) {
    for (const info of initial) this.add(info);
  }

  /** Registers (or replaces) a resource. */
  add(info: ResourceInfo): void {
    this.byPath.set(`${info.group}/${info.version}/${info.resource}`, info);
    this.byKind.set(`${apiVersionOf(info.group, info.version)}/${info.kind}`, info);
  }

  /** Removes a resource (a deleted CRD). */
  remove(group: string, version: string, resource: string): void {
    const info = this.byPath.get(`${group}/${version}/${resource}`);
    if (!info) return;
    this.byPath.delete(`${group}/${version}/${resource}`);
    this.byKind.delete(`${apiVersionOf(group, version)}/${info.kind}`);
  }

  /** Looks up a resource by group, version and plural. */
  get(group: string, version: string, resource: string): ResourceInfo | undefined {
    return this.byPath.get(`${group}/${version}/${resource}`);
  }

  /** Looks up a resource by apiVersion and kind. */
  byApiVersionKind(apiVersion: string, kind: string): ResourceInfo | undefined {
    return this.byKind.get(`${apiVersion}/${kind}`);
  }

  /** All resources. */
  all(): ResourceInfo[] {
    return [...this.byPath.values()];
  }

  /** Resources of one group/version, in registration order. */
  inGroupVersion(group: string, version: string): ResourceInfo[] {
    return this.all().filter((r) => r.group === group && r.version === version);
  }

  /** Served groups with their versions (core group excluded), in registration order. */
  groups(): Map<string, string[]> {
    const groups = new Map<string, string[]>();
    for (const info of this.byPath.values()) {
      if (!info.group) continue;
      const versions = groups.get(info.group) ?? [];
      if (!versions.includes(info.version)) versions.push(info.version);
      groups.set(info.group, versions);
    }
    return groups;
  }
}

/** Builds the catalogue entry for a kind first seen through a write to an unknown resource path. */
export function inferredResource(
  group: string,
  version: string,
  resource: string,
  kind: string | undefined,
  namespaced: boolean,
): ResourceInfo {
  const guessedKind = kind ?? guessKind(resource);
  return {
    group,
    version,
    resource,
    singularName: guessedKind.toLowerCase(),
    kind: guessedKind,
    namespaced,
    shortNames: [],
    verbs: ALL_VERBS,
    subresources: ['status'],
    specGeneration: true,
  };
}

// 'widgets' → 'Widget', 'policies' → 'Policy'; only used when the body carries no kind.
function guessKind(resource: string): string {
  const singular = resource.endsWith('ies')
    ? `${resource.slice(0, -3)}y`
    : resource.endsWith('s')
      ? resource.slice(0, -1)
      : resource;
  return singular.charAt(0).toUpperCase() + singular.slice(1);
}
