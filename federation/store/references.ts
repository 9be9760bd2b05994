import type { BindingSpec } from '../resources/binding.js';
import { BINDING_TYPE } from '../resources/kinds.js';
import type { KubeObject } from '../resources/kube-object.js';
import type { IndexDefinition } from './indexes.js';

/**
 * The references the store indexes, so that "which objects reference X" is one set read rather
 * than a scan: a Binding references the dependencies of its workload (ConfigMaps, Secrets,
 * ServiceAccounts, PVCs of its namespace) and the member clusters it places the workload in.
 * A reference is indexed in a scope: the object's namespace, or ALL_NAMESPACES.
 */
export function keepsReferences(type: string): boolean {
  return type === BINDING_TYPE;
}

/** The scope of references looked up across namespaces (no namespace is named `*`). */
export const ALL_NAMESPACES = '*';

/**
 * The references `object` (of `type`) holds, as `scope:reference`, sorted and without repeats;
 * [] for a type that keeps none.
 */
export function referencesOf(type: string, object: KubeObject | undefined): string[] {
  if (!object || !keepsReferences(type)) return [];
  const spec = object.spec as BindingSpec | undefined;
  const namespace = object.metadata.namespace ?? '';
  return [
    ...new Set([
      ...(spec?.dependencies ?? []).map((d) => `${namespace}:${dependencyReference(d.kind, d.name)}`),
      ...(spec?.clusters ?? []).map((c) => `${ALL_NAMESPACES}:${clusterReference(c.name)}`),
    ]),
  ].sort();
}

/** How a Binding names one dependency (scope: its namespace). */
export function dependencyReference(kind: string, name: string): string {
  return `${kind}/${name}`;
}

/** How a Binding names a member cluster it places its workload in (scope: ALL_NAMESPACES). */
export function clusterReference(cluster: string): string {
  return `cluster/${cluster}`;
}

/**
 * The reference index, registered in every store: `referrers(BINDING_TYPE, scope, reference)`
 * reads it. Its keys are the ones fedgate has always written (`{fg}:ref:<type>:<scope>:<reference>`,
 * field `refs`, marker `{fg}:ref-indexed`).
 */
export const REFERENCE_INDEX: IndexDefinition = {
  name: 'ref',
  field: 'refs',
  indexes: keepsReferences,
  valuesOf: referencesOf,
};
