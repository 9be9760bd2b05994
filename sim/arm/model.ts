/**
 * The simulator's state: ARM resources keyed by their id (case-insensitive, as ARM compares names),
 * resource groups and subscriptions, and the parsing of ARM resource ids.
 */

/** One stored ARM resource, in ARM's own JSON shape (properties envelope). */
export interface ArmResource {
  id: string;
  name: string;
  type: string;
  location?: string;
  tags?: Record<string, string>;
  zones?: string[];
  sku?: Record<string, unknown>;
  etag?: string;
  /** Top-level fields besides the common ones (managedBy, instanceId, …). */
  extra?: Record<string, unknown>;
  properties: Record<string, unknown>;
}

/** A parsed resource id: `/subscriptions/S/resourceGroups/RG/providers/NS/t1/n1[/t2/n2…]`. */
export interface ResourceRef {
  readonly subscription: string;
  readonly resourceGroup: string;
  readonly namespace: string;
  /** Type segments and names, alternating: [[t1, n1], [t2, n2]]. */
  readonly segments: readonly (readonly [string, string])[];
}

/** `Microsoft.Network/virtualNetworks/subnets` for a ref (its type, names dropped). */
export function typeOf(ref: ResourceRef): string {
  return [ref.namespace, ...ref.segments.map(([t]) => t)].join('/');
}

/** The canonical id of a ref. */
export function idOf(ref: ResourceRef): string {
  const path = ref.segments.map(([t, n]) => `${t}/${n}`).join('/');
  return `/subscriptions/${ref.subscription}/resourceGroups/${ref.resourceGroup}/providers/${ref.namespace}/${path}`;
}

/** The ref of the parent resource (undefined for a top-level resource). */
export function parentOf(ref: ResourceRef): ResourceRef | undefined {
  return ref.segments.length > 1 ? { ...ref, segments: ref.segments.slice(0, -1) } : undefined;
}

/** The last name of a ref. */
export function nameOf(ref: ResourceRef): string {
  return ref.segments[ref.segments.length - 1]![1];
}

/** Parses an ARM resource id (leading slash optional, as some examples omit it); undefined when not one. */
export function parseResourceId(id: string): ResourceRef | undefined {
  const parts = id.replace(/^\/+/, '').split('/').map(decodeURIComponent);
  if (parts.length < 8 || parts.length % 2 !== 0) return undefined;
  if (parts[0]!.toLowerCase() !== 'subscriptions' || parts[2]!.toLowerCase() !== 'resourcegroups')
    return undefined;
  if (parts[4]!.toLowerCase() !== 'providers') return undefined;
  const segments: [string, string][] = [];
  for (let i = 6; i < parts.length; i += 2) segments.push([parts[i]!, parts[i + 1]!]);
  return { subscription: parts[1]!, resourceGroup: parts[3]!, namespace: parts[5]!, segments };
}

/** A resource group. */
export interface ResourceGroup {
  name: string;
  location: string;
  tags: Record<string, string>;
  managedBy?: string;
}

/** Everything the simulator holds. */
export class ArmStore {
  readonly subscriptions = new Set<string>();
  readonly #groups = new Map<string, ResourceGroup>();
  readonly #resources = new Map<string, ArmResource>();

  #groupKey(subscription: string, name: string): string {
    return `${subscription}/${name}`.toLowerCase();
  }

  group(subscription: string, name: string): ResourceGroup | undefined {
    return this.#groups.get(this.#groupKey(subscription, name));
  }

  putGroup(subscription: string, group: ResourceGroup): void {
    this.subscriptions.add(subscription.toLowerCase());
    this.#groups.set(this.#groupKey(subscription, group.name), group);
  }

  deleteGroup(subscription: string, name: string): void {
    this.#groups.delete(this.#groupKey(subscription, name));
    const prefix = `/subscriptions/${subscription}/resourcegroups/${name}/`.toLowerCase();
    for (const key of [...this.#resources.keys()]) if (key.startsWith(prefix)) this.#resources.delete(key);
  }

  groups(subscription: string): ResourceGroup[] {
    const prefix = `${subscription.toLowerCase()}/`;
    return [...this.#groups.entries()].filter(([k]) => k.startsWith(prefix)).map(([, g]) => g);
  }

  get(id: string): ArmResource | undefined {
    return this.#resources.get(id.toLowerCase());
  }

  put(resource: ArmResource): void {
    this.#resources.set(resource.id.toLowerCase(), resource);
  }

  /** Removes a resource and its children. */
  delete(id: string): void {
    const key = id.toLowerCase();
    this.#resources.delete(key);
    for (const k of [...this.#resources.keys()]) if (k.startsWith(`${key}/`)) this.#resources.delete(k);
  }

  /** Resources of one type, optionally only under one parent id or one resource group, sorted by id. */
  list(
    type: string,
    under?: { parentId?: string; subscription: string; resourceGroup?: string },
  ): ArmResource[] {
    const t = type.toLowerCase();
    const out: ArmResource[] = [];
    for (const [key, r] of this.#resources) {
      if (r.type.toLowerCase() !== t) continue;
      if (under) {
        const scope = under.parentId
          ? `${under.parentId}/`
          : under.resourceGroup
            ? `/subscriptions/${under.subscription}/resourcegroups/${under.resourceGroup}/`
            : `/subscriptions/${under.subscription}/`;
        if (!key.startsWith(scope.toLowerCase())) continue;
      }
      out.push(r);
    }
    return out.sort((a, b) => a.id.localeCompare(b.id));
  }

  /** Every resource (for reference checks). */
  all(): IterableIterator<ArmResource> {
    return this.#resources.values();
  }
}

/** ARM's location form: `West Europe` → `westeurope`. */
export function normalizeLocation(location: string): string {
  return location.replace(/\s+/g, '').toLowerCase();
}
