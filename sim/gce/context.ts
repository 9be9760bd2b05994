/** What a collection's handlers get: the state, the operation runner and the request. */
import { invalid, notFound, required } from './errors.js';
import type { ResourcePath, Scope } from './links.js';
import { parseReference, relativePath, scopePath, selfLink } from './links.js';
import type { OperationRunner } from './operations.js';
import type { GceResource, GceStore } from './store.js';

/** Shared state of the simulator. */
export interface SimState {
  readonly store: GceStore;
  readonly ops: OperationRunner;
  /** Allocates an external address for a VPN gateway interface. */
  nextPublicIp(): string;
  /** How long a VPN tunnel takes from full configuration to ESTABLISHED. */
  tunnelEstablishMs(): number;
}

/** One request, addressed to a project, a scope and a collection. */
export interface RequestCtx {
  readonly sim: SimState;
  readonly project: string;
  readonly scope: Scope;
  readonly collection: string;
  readonly name?: string;
  readonly query: URLSearchParams;
  readonly body: Record<string, unknown>;
}

/** The path of the resource the request names. */
export function targetPath(ctx: RequestCtx, name = ctx.name!): ResourcePath {
  return { project: ctx.project, scope: ctx.scope, collection: ctx.collection, name };
}

/** A string field of the body, or 400 required. */
export function requireString(body: Record<string, unknown>, field: string): string {
  const v = body[field];
  if (v === undefined || v === null || v === '') throw required(`resource.${field}`);
  if (typeof v !== 'string') throw invalid(`resource.${field}`, 'expected a string');
  return v;
}

/** Checks a resource name against GCE's RFC 1035 pattern. */
export function checkName(name: string, field = 'resource.name'): void {
  if (!/^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/.test(name))
    throw invalid(field, `'${name}'. Must be a match of regex '(?:[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?)'`);
}

/**
 * Resolves a reference to an existing resource: 400 invalid when it is not a reference of that
 * collection, 404 notFound when it does not exist. Returns its path and stored JSON.
 */
export function resolveRef(
  ctx: RequestCtx,
  field: string,
  ref: unknown,
  collection: string,
  scope: Scope,
): { path: ResourcePath; value: GceResource; link: string } {
  if (typeof ref !== 'string' || ref === '') throw required(field);
  const path = parseReference(ref, ctx.project, collection, scope);
  if (!path) throw invalid(field, `'${ref}' is not a valid ${collection} reference`);
  const value = ctx.sim.store.get(path);
  if (!value || isPending(value)) throw notFound(relativePath(path));
  return { path, value, link: selfLink(path) };
}

/** True for `a` and `b` naming the same resource (selfLinks or partial paths). */
export function sameResource(a: unknown, b: unknown): boolean {
  if (typeof a !== 'string' || typeof b !== 'string') return false;
  const norm = (s: string) => s.slice(Math.max(0, s.indexOf('projects/')));
  return norm(a) === norm(b);
}

/** Fields every resource carries. */
export function baseFields(ctx: RequestCtx, kind: string, name: string): GceResource {
  return {
    kind,
    id: ctx.sim.store.newId(),
    creationTimestamp: new Date().toISOString(),
    name,
    selfLink: selfLink(targetPath(ctx, name)),
  };
}

/** `regions/r` or `zones/z` of a path, as aggregatedList keys it. */
export function scopeKey(scope: Scope): string {
  return scopePath(scope);
}

/** Marks a resource inserted but not yet visible (its operation is still running). */
export function markPending(r: GceResource, pending: boolean): void {
  if (pending) Object.defineProperty(r, '_pending', { value: true, enumerable: false, configurable: true });
  else delete (r as { _pending?: boolean })._pending;
}

/** True while the resource's insert operation runs (404 to readers, 409 to another insert). */
export function isPending(r: GceResource): boolean {
  return (r as { _pending?: boolean })._pending === true;
}
