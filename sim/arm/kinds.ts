/**
 * What the simulator knows of one resource type: how a PUT body becomes a stored resource, what
 * happens when its provisioning completes, what refuses its deletion, and how it is shown. The
 * request handling in handlers.ts is the same for every type.
 */
import { ArmError, invalidField } from './errors.js';
import type { ArmResource, ArmStore, ResourceRef } from './model.js';

/** What a kind's hooks may use. */
export interface SimContext {
  readonly store: ArmStore;
  /** Milliseconds since the epoch (the simulator's clock). */
  now(): number;
  /** The current delay of long-running operations. */
  operationDelayMs(): number;
  /** How long a CopyStart snapshot copy takes. */
  copyDurationMs(): number;
  /** The next public IP address to hand out. */
  allocatePublicIp(): string;
}

/** One resource type. */
export interface ResourceKind {
  /** `Microsoft.Network/virtualNetworks/subnets`. */
  readonly type: string;
  /** Long-running PUT/DELETE (201/202 + Azure-AsyncOperation); false: answered at once. */
  readonly async: boolean;
  /** The PUT answer's status for a new resource of an async kind: network RPs 201, disk RP 202. */
  readonly createdStatus?: 201 | 202;
  /** Operations of this type take this many times the base operation delay (gateways are slow). */
  readonly delayFactor?: number;
  /** Turns a PUT body into the resource to store (validated; throw ArmError naming the field). */
  build(
    ctx: SimContext,
    ref: ResourceRef,
    body: Record<string, unknown>,
    existing?: ArmResource,
  ): ArmResource;
  /** Runs after the resource is stored (sync kinds) or its operation succeeded (async kinds). */
  provisioned?(ctx: SimContext, resource: ArmResource): void;
  /** Throws the ARM error that refuses deleting this resource (in use, attached). */
  checkDelete?(ctx: SimContext, resource: ArmResource): void;
  /** Runs after the resource is gone. */
  deleted?(ctx: SimContext, resource: ArmResource): void;
  /** The JSON answered for the resource (defaults to the stored shape). */
  view?(ctx: SimContext, resource: ArmResource): Record<string, unknown>;
}

/** The stored shape as JSON, without internal fields. */
export function plainView(r: ArmResource): Record<string, unknown> {
  return {
    id: r.id,
    name: r.name,
    type: r.type,
    ...(r.location ? { location: r.location } : {}),
    ...(r.tags ? { tags: r.tags } : {}),
    ...(r.zones ? { zones: r.zones } : {}),
    ...(r.sku ? { sku: r.sku } : {}),
    ...(r.etag ? { etag: r.etag } : {}),
    ...r.extra,
    properties: Object.fromEntries(Object.entries(r.properties).filter(([k]) => !k.startsWith('_'))),
  };
}

/** The `properties` object of a body (400 when it is not an object). */
export function propertiesOf(body: Record<string, unknown>): Record<string, unknown> {
  const p = body.properties ?? {};
  if (typeof p !== 'object' || p === null || Array.isArray(p))
    throw invalidField('properties', 'expected an object');
  return p as Record<string, unknown>;
}

/** A required string field. */
export function requireString(obj: Record<string, unknown>, field: string, path = field): string {
  const v = obj[field];
  if (typeof v !== 'string' || v === '') throw invalidField(path, 'a non-empty string is required');
  return v;
}

const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/** Parses an IPv4 CIDR into [network, prefix length]; undefined when malformed. */
export function parseCidr(cidr: string): [number, number] | undefined {
  const m = CIDR.exec(cidr);
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  const len = Number(m[5]);
  if (octets.some((o) => o > 255) || len > 32) return undefined;
  const addr = octets.reduce((a, o) => a * 256 + o, 0);
  return [addr - (addr % 2 ** (32 - len)), len];
}

/** True when two CIDRs share an address. */
export function cidrsOverlap(a: string, b: string): boolean {
  const pa = parseCidr(a);
  const pb = parseCidr(b);
  if (!pa || !pb) return false;
  const size = (p: [number, number]) => 2 ** (32 - p[1]);
  return pa[0] < pb[0] + size(pb) && pb[0] < pa[0] + size(pa);
}

/** True when `inner` lies inside `outer`. */
export function cidrContains(outer: string, inner: string): boolean {
  const po = parseCidr(outer);
  const pi = parseCidr(inner);
  if (!po || !pi) return false;
  return pi[1] >= po[1] && pi[0] >= po[0] && pi[0] + 2 ** (32 - pi[1]) <= po[0] + 2 ** (32 - po[1]);
}

/** A required list of CIDRs (400 naming the field when missing or malformed). */
export function requireCidrs(value: unknown, path: string): string[] {
  if (!Array.isArray(value) || value.length === 0)
    throw invalidField(path, 'at least one address prefix is required');
  return value.map((v, i) => {
    if (typeof v !== 'string' || !parseCidr(v))
      throw invalidField(`${path}[${i}]`, `'${String(v)}' is not a valid CIDR`);
    return v;
  });
}

/** The `{id}` reference at `obj[field]`, or undefined. */
export function refId(obj: Record<string, unknown> | undefined, field: string): string | undefined {
  const v = obj?.[field];
  if (v && typeof v === 'object' && typeof (v as { id?: unknown }).id === 'string')
    return (v as { id: string }).id;
  return undefined;
}

/** The location of a body, required for tracked resources. */
export function requireLocation(body: Record<string, unknown>, existing?: ArmResource): string {
  const loc = body.location ?? existing?.location;
  if (typeof loc !== 'string' || loc === '') throw invalidField('location', 'a location is required');
  return loc.replace(/\s+/g, '').toLowerCase();
}

/** Tags of a body (400 unless a string map). */
export function tagsOf(body: Record<string, unknown>): Record<string, string> | undefined {
  if (body.tags === undefined) return undefined;
  const t = body.tags;
  if (
    typeof t !== 'object' ||
    t === null ||
    Array.isArray(t) ||
    Object.values(t).some((v) => typeof v !== 'string')
  )
    throw invalidField('tags', 'expected a map of strings');
  return { ...(t as Record<string, string>) };
}

/** A resource that another one names, which must exist (400 InvalidResourceReference otherwise). */
export function referenced(ctx: SimContext, id: string | undefined, path: string): ArmResource {
  const r = id ? ctx.store.get(id.startsWith('/') ? id : `/${id}`) : undefined;
  if (!r)
    throw new ArmError(
      400,
      'InvalidResourceReference',
      `Resource ${id ?? '(none)'} referenced by ${path} was not found.`,
      {},
      path,
    );
  return r;
}

/** A weak etag as the network RP writes them. */
export function etag(): string {
  return `W/"${crypto.randomUUID()}"`;
}
