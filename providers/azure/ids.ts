/** ARM ids and Azure zone names as the adapter reads and writes them. */

import type { CloudScope } from '../cloud/types.js';
import { ProviderError } from '../provider-error.js';

/** Resource group and name of a resource given by ARM id or by name (then in the scope's group). */
export interface ResourceName {
  readonly subscription: string;
  readonly resourceGroup: string;
  readonly name: string;
  /** The name of the parent resource, for a child id (`…/virtualNetworks/V/subnets/S` → V). */
  readonly parent?: string;
}

/** Reads an ARM id, or a bare name resolved in the scope's resource group. */
export function resolveName(idOrName: string, scope: CloudScope, what: string): ResourceName {
  if (!idOrName.includes('/')) {
    if (!idOrName) throw new ProviderError('Invalid', `azure: ${what} is empty`, { provider: 'azure' });
    return { subscription: scope.account, resourceGroup: requireGroup(scope), name: idOrName };
  }
  const parts = idOrName.replace(/^\/+/, '').split('/');
  if (
    parts.length < 8 ||
    parts[0]?.toLowerCase() !== 'subscriptions' ||
    parts[2]?.toLowerCase() !== 'resourcegroups'
  )
    throw new ProviderError('Invalid', `azure: ${what} "${idOrName}" is not an ARM resource id or a name`, {
      provider: 'azure',
    });
  const name = parts.at(-1)!;
  return {
    subscription: parts[1]!,
    resourceGroup: parts[3]!,
    name,
    ...(parts.length >= 10 ? { parent: parts.at(-3)! } : {}),
  };
}

/** The scope's resource group; every Azure adapter scope needs one. */
export function requireGroup(scope: CloudScope): string {
  if (!scope.resourceGroup)
    throw new ProviderError(
      'Invalid',
      'azure: scope.resourceGroup is required (the resource group the adapter manages)',
      {
        provider: 'azure',
      },
    );
  return scope.resourceGroup;
}

/** The ARM id of a resource of the scope's subscription and group. */
export function armId(
  scope: CloudScope,
  namespaceType: string,
  name: string,
  resourceGroup = requireGroup(scope),
): string {
  return `/subscriptions/${scope.account}/resourceGroups/${resourceGroup}/providers/${namespaceType}/${name}`;
}

/** The id of the resource that holds a child (`…/virtualNetworks/V/subnets/S` → `…/virtualNetworks/V`). */
export function parentId(childId: string): string {
  return childId.split('/').slice(0, -2).join('/');
}

/** Azure's zone number from a Kubernetes-style zone (`westeurope-2` → `2`) or a number. */
export function azureZone(zone: string): string {
  const m = /(?:^|-)(\d+)$/.exec(zone);
  if (!m)
    throw new ProviderError(
      'Invalid',
      `azure: zone "${zone}" is not an Azure zone (expected e.g. "westeurope-1" or "1")`,
      { provider: 'azure' },
    );
  return m[1]!;
}

/** The Kubernetes-style zone of a zonal resource (`westeurope-2`), or its region when not zonal. */
export function kubeZone(location: string, zones?: readonly string[]): string {
  const loc = location.replace(/\s+/g, '').toLowerCase();
  return zones?.[0] ? `${loc}-${zones[0]}` : loc;
}

/** True when two ARM ids name the same resource (ARM compares case-insensitively). */
export function sameId(a: string | undefined, b: string | undefined): boolean {
  return (
    a !== undefined &&
    b !== undefined &&
    a.replace(/^\/+/, '').toLowerCase() === b.replace(/^\/+/, '').toLowerCase()
  );
}
