import type { BindingSpec } from '../resources/binding.js';
import { BINDING_TYPE } from '../resources/kinds.js';
import type { KubeObject } from '../resources/kube-object.js';

/**
 * The references the store indexes, so that "which objects reference X" is one set read rather
 * than a scan of the namespace: a Binding references the dependencies of its workload (ConfigMaps,
 * Secrets, ServiceAccounts, PVCs of its namespace), as `Kind/name`.
 */
export function keepsReferences(type: string): boolean {
  return type === BINDING_TYPE;
}

/** The references `object` (of `type`) holds, sorted and without repeats; [] for a type that keeps none. */
export function referencesOf(type: string, object: KubeObject | undefined): string[] {
  if (!object || !keepsReferences(type)) return [];
  const deps = (object.spec as BindingSpec | undefined)?.dependencies ?? [];
  return [...new Set(deps.map((d) => dependencyReference(d.kind, d.name)))].sort();
}

/** How a Binding names one dependency in the reference index. */
export function dependencyReference(kind: string, name: string): string {
  return `${kind}/${name}`;
}
