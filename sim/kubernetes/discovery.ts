/**
 * Discovery documents: /version, /api (APIVersions), /apis (APIGroupList), /apis/{group} (APIGroup)
 * and the per group/version APIResourceList with subresources, which client-node's
 * KubernetesObjectApi and kubectl read before anything else. Served as the legacy (non-aggregated)
 * discovery: clients that ask for the aggregated form fall back to it when the response
 * content type says plain application/json.
 */
import type { ResourceCatalogue, ResourceInfo } from './resources.js';
import { apiVersionOf } from './resources.js';
import type { JsonObject } from './types.js';

/** The /version document for a gitVersion like 'v1.32.2'. */
export function versionInfo(gitVersion: string): JsonObject {
  const match = /^v(\d+)\.(\d+)/.exec(gitVersion);
  return {
    major: match?.[1] ?? '1',
    minor: match?.[2] ?? '32',
    gitVersion,
    gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean',
    buildDate: '2025-01-01T00:00:00Z',
    goVersion: 'go1.23.6',
    compiler: 'gc',
    platform: 'linux/amd64',
  };
}

/** GET /api. */
export function apiVersions(serverAddress: string): JsonObject {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

function groupDoc(name: string, versions: string[]): JsonObject {
  const list = versions.map((v) => ({ groupVersion: `${name}/${v}`, version: v }));
  return { name, versions: list, preferredVersion: list[0] };
}

/** GET /apis. */
export function apiGroupList(catalogue: ResourceCatalogue): JsonObject {
  const groups = [...catalogue.groups()].map(([name, versions]) => groupDoc(name, versions));
  return { kind: 'APIGroupList', apiVersion: 'v1', groups };
}

/** GET /apis/{group}, or undefined when the group is not served. */
export function apiGroup(catalogue: ResourceCatalogue, group: string): JsonObject | undefined {
  const versions = catalogue.groups().get(group);
  return versions ? { kind: 'APIGroup', apiVersion: 'v1', ...groupDoc(group, versions) } : undefined;
}

function resourceEntry(info: ResourceInfo): JsonObject[] {
  const main: JsonObject = {
    name: info.resource,
    singularName: info.singularName,
    namespaced: info.namespaced,
    kind: info.kind,
    verbs: info.verbs,
  };
  if (info.shortNames.length > 0) main.shortNames = info.shortNames;
  if (info.categories) main.categories = info.categories;
  const subs = info.subresources.map((sub): JsonObject => {
    const entry: JsonObject = {
      name: `${info.resource}/${sub}`,
      singularName: '',
      namespaced: info.namespaced,
      kind: sub === 'scale' ? 'Scale' : info.kind,
      verbs: ['get', 'patch', 'update'],
    };
    if (sub === 'scale') Object.assign(entry, { group: 'autoscaling', version: 'v1' });
    return entry;
  });
  return [main, ...subs];
}

/** GET /api/v1 or /apis/{group}/{version}, or undefined when the group/version is not served. */
export function apiResourceList(
  catalogue: ResourceCatalogue,
  group: string,
  version: string,
): JsonObject | undefined {
  const resources = catalogue.inGroupVersion(group, version);
  if (resources.length === 0) return undefined;
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: apiVersionOf(group, version),
    resources: resources.flatMap(resourceEntry),
  };
}
