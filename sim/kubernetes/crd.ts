/**
 * CustomResourceDefinitions: creating one makes its kinds servable (and listed in discovery) on
 * every served version, and marks it Established, like apiextensions-apiserver; deleting it
 * removes the kinds and their objects.
 */
import type { ResourceCatalogue, ResourceInfo } from './resources.js';
import { groupResourceKey } from './resources.js';
import type { ObjectStore, StoreEvent } from './storage.js';
import type { JsonObject, KubeObject } from './types.js';
import { getPath, isObject } from './types.js';

/** Storage key of CustomResourceDefinitions. */
export const CRDS = groupResourceKey('apiextensions.k8s.io', 'customresourcedefinitions');

/** The catalogue entries a CRD defines (one per served version). */
export function resourcesOfCrd(crd: KubeObject): ResourceInfo[] {
  const spec = isObject(crd.spec) ? crd.spec : {};
  const names = isObject(spec.names) ? spec.names : {};
  const group = typeof spec.group === 'string' ? spec.group : '';
  const plural = typeof names.plural === 'string' ? names.plural : '';
  const kind = typeof names.kind === 'string' ? names.kind : '';
  if (!group || !plural || !kind) return [];
  const versions = Array.isArray(spec.versions) ? spec.versions : [];
  return versions
    .filter((v) => isObject(v) && v.served !== false && typeof v.name === 'string')
    .map((v): ResourceInfo => {
      const sub = getPath(v, ['subresources']);
      const subresources = isObject(sub) ? Object.keys(sub) : [];
      const info: ResourceInfo = {
        group,
        version: String((v as JsonObject).name),
        resource: plural,
        singularName: typeof names.singular === 'string' ? names.singular : kind.toLowerCase(),
        kind,
        namespaced: spec.scope !== 'Cluster',
        shortNames: Array.isArray(names.shortNames) ? names.shortNames.map(String) : [],
        verbs: ['delete', 'deletecollection', 'get', 'list', 'patch', 'create', 'update', 'watch'],
        subresources,
        specGeneration: subresources.includes('status'),
      };
      if (Array.isArray(names.categories)) info.categories = names.categories.map(String);
      return info;
    });
}

/** Keeps the catalogue in step with stored CRDs; returns the unsubscribe function. */
export function watchCrds(store: ObjectStore, catalogue: ResourceCatalogue, now: () => string): () => void {
  return store.subscribe((event: StoreEvent) => {
    if (event.groupResource !== CRDS) return;
    for (const info of resourcesOfCrd(event.previous ?? event.object)) {
      if (event.type === 'DELETED') {
        catalogue.remove(info.group, info.version, info.resource);
        const key = groupResourceKey(info.group, info.resource);
        for (const o of store.list(key)) store.remove(key, o.metadata.namespace ?? '', o.metadata.name);
      }
    }
    if (event.type === 'DELETED') return;
    for (const info of resourcesOfCrd(event.object)) catalogue.add(info);
    const conditions = getPath(event.object, ['status', 'conditions']);
    if (Array.isArray(conditions) && conditions.length > 0) return;
    // Established asynchronously, as the real apiextensions controller does.
    setImmediate(() => {
      const current = store.get(CRDS, '', event.object.metadata.name);
      if (!current || getPath(current, ['status', 'conditions'])) return;
      const time = now();
      const spec = isObject(current.spec) ? current.spec : {};
      store.write(CRDS, {
        ...current,
        status: {
          acceptedNames: spec.names,
          storedVersions: resourcesOfCrd(current)
            .map((r) => r.version)
            .slice(0, 1),
          conditions: [
            {
              type: 'NamesAccepted',
              status: 'True',
              lastTransitionTime: time,
              reason: 'NoConflicts',
              message: 'no conflicts found',
            },
            {
              type: 'Established',
              status: 'True',
              lastTransitionTime: time,
              reason: 'InitialNamesAccepted',
              message: 'the initial names have been accepted',
            },
          ],
        },
      });
    });
  });
}
