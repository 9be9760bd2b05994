/**
 * The ARM request handling every resource type shares: PUT by name (create or update, 201/200 or
 * 202 with Azure-AsyncOperation and Retry-After while provisioning), GET, DELETE (202 + Location +
 * Azure-AsyncOperation, 204 when already gone), lists as `{value, nextLink}`, and the two
 * operation monitors.
 */

import { expandedView } from './compute.js';
import { ArmError, resourceGroupNotFound, resourceNotFound } from './errors.js';
import type { ArmFaults } from './faults.js';
import { plainView, type ResourceKind, type SimContext } from './kinds.js';
import { type ArmResource, idOf, nameOf, parentOf, type ResourceRef, typeOf } from './model.js';
import type { ArmOperation, OperationRegistry } from './operations.js';

/** An answer to write. */
export interface ArmReply {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

/** What the handlers need besides the kind hooks' context. */
export interface HandlerEnv {
  readonly ctx: SimContext;
  readonly faults: ArmFaults;
  readonly operations: OperationRegistry;
  /** `https://127.0.0.1:PORT` */
  readonly baseUrl: () => string;
  /** Retry-After (s) on long-running answers; 0 leaves the header out. */
  readonly retryAfterSeconds: number;
  readonly pageSize: number;
  /** The latest operation on each resource (by lower-cased id), so a later PUT can supersede it. */
  readonly currentOps: Map<string, ArmOperation>;
}

const TERMINAL = new Set(['Succeeded', 'Failed', 'Canceled']);

/** The JSON of a resource as its kind shows it. */
export function viewOf(
  env: HandlerEnv,
  kind: ResourceKind,
  r: ArmResource,
  expand?: string,
): Record<string, unknown> {
  if (r.properties._raw) return plainView(r);
  return expandedView(r, expand) ?? kind.view?.(env.ctx, r) ?? plainView(r);
}

function requireGroup(env: HandlerEnv, ref: ResourceRef): void {
  if (!env.ctx.store.group(ref.subscription, ref.resourceGroup))
    throw resourceGroupNotFound(ref.resourceGroup);
}

function requireParent(env: HandlerEnv, ref: ResourceRef): void {
  const parent = parentOf(ref);
  if (parent && !env.ctx.store.get(idOf(parent)))
    throw new ArmError(
      404,
      'ParentResourceNotFound',
      `Can not perform requested operation on nested resource. Parent resource '${nameOf(parent)}' not found.`,
    );
}

function retryAfter(env: HandlerEnv): Record<string, string> {
  return env.retryAfterSeconds > 0 ? { 'retry-after': String(env.retryAfterSeconds) } : {};
}

function monitorHeaders(env: HandlerEnv, op: ArmOperation, withLocation: boolean): Record<string, string> {
  return {
    'azure-asyncoperation': env.operations.asyncOperationUrl(env.baseUrl(), op),
    ...(withLocation ? { location: env.operations.locationUrl(env.baseUrl(), op) } : {}),
    ...retryAfter(env),
  };
}

/** GET one resource. */
export function getResource(
  env: HandlerEnv,
  kind: ResourceKind,
  ref: ResourceRef,
  expand?: string,
): ArmReply {
  requireGroup(env, ref);
  const r = env.ctx.store.get(idOf(ref));
  if (!r) throw resourceNotFound(typeOf(ref), ref.segments.map(([, n]) => n).join('/'), ref.resourceGroup);
  return { status: 200, body: viewOf(env, kind, r, expand) };
}

/** PUT by name: create if absent, update if present (idempotent). */
export function putResource(
  env: HandlerEnv,
  kind: ResourceKind,
  ref: ResourceRef,
  body: unknown,
  apiVersion: string,
): ArmReply {
  requireGroup(env, ref);
  requireParent(env, ref);
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new ArmError(
      400,
      'InvalidRequestContent',
      'The request content was invalid and could not be deserialized: expected a JSON object.',
    );
  const id = idOf(ref);
  const existing = env.ctx.store.get(id);
  if (existing?.properties.provisioningState === 'Deleting')
    throw new ArmError(409, 'Conflict', `Resource ${id} is being deleted; retry once the delete completes.`);
  const resource = kind.build(env.ctx, ref, body as Record<string, unknown>, existing);
  if (existing?.extra) resource.extra = { ...existing.extra, ...resource.extra };
  const created = !existing;
  if (!kind.async) {
    resource.properties.provisioningState = 'Succeeded';
    env.ctx.store.put(resource);
    kind.provisioned?.(env.ctx, resource);
    return { status: created ? 201 : 200, body: viewOf(env, kind, resource) };
  }
  // A later PUT supersedes an operation still running on the same resource.
  const previous = env.currentOps.get(id.toLowerCase());
  if (previous && previous.status === 'InProgress') {
    previous.status = 'Canceled';
    previous.error = {
      code: 'Canceled',
      message: 'The operation was superseded by a later request on the same resource.',
    };
  }
  const failure = env.faults.takeArmOperationFailure();
  env.ctx.store.put(resource);
  const op = env.operations.start(
    {
      subscription: ref.subscription,
      namespace: ref.namespace,
      location: resource.location ?? 'global',
      kind: 'put',
      resourceId: id,
      apiVersion,
    },
    env.faults.operationDelay() * (kind.delayFactor ?? 1),
    () => {
      if (failure) {
        resource.properties.provisioningState = 'Failed';
        return failure;
      }
      resource.properties.provisioningState = 'Succeeded';
      kind.provisioned?.(env.ctx, resource);
      return undefined;
    },
  );
  env.currentOps.set(id.toLowerCase(), op);
  const status = created ? (kind.createdStatus ?? 201) : 200;
  return { status, body: viewOf(env, kind, resource), headers: monitorHeaders(env, op, status === 202) };
}

/** DELETE: 202 and monitors while it runs; 204 when there is nothing to delete. */
export function deleteResource(
  env: HandlerEnv,
  kind: ResourceKind,
  ref: ResourceRef,
  apiVersion: string,
): ArmReply {
  requireGroup(env, ref);
  const id = idOf(ref);
  const existing = env.ctx.store.get(id);
  if (!existing) return { status: 204 };
  kind.checkDelete?.(env.ctx, existing);
  if (!kind.async) {
    env.ctx.store.delete(id);
    kind.deleted?.(env.ctx, existing);
    return { status: 200 };
  }
  const failure = env.faults.takeArmOperationFailure();
  existing.properties.provisioningState = 'Deleting';
  const op = env.operations.start(
    {
      subscription: ref.subscription,
      namespace: ref.namespace,
      location: existing.location ?? 'global',
      kind: 'delete',
      resourceId: id,
      apiVersion,
    },
    env.faults.operationDelay() * (kind.delayFactor ?? 1),
    () => {
      if (failure) {
        existing.properties.provisioningState = 'Failed';
        return failure;
      }
      env.ctx.store.delete(id);
      kind.deleted?.(env.ctx, existing);
      return undefined;
    },
  );
  env.currentOps.set(id.toLowerCase(), op);
  return { status: 202, headers: monitorHeaders(env, op, true) };
}

/** One page of a list (`$skiptoken` is the offset), with nextLink to the rest. */
export function listPage(env: HandlerEnv, url: URL, items: readonly Record<string, unknown>[]): ArmReply {
  const offset = Number(url.searchParams.get('$skiptoken') ?? '0') || 0;
  const page = items.slice(offset, offset + env.pageSize);
  const body: Record<string, unknown> = { value: page };
  if (offset + env.pageSize < items.length) {
    const next = new URL(url.pathname + url.search, env.baseUrl());
    next.searchParams.set('$skiptoken', String(offset + env.pageSize));
    body.nextLink = next.toString();
  }
  return { status: 200, body };
}

/** GET of an Azure-AsyncOperation URL: always 200 with the operation's status. */
export function asyncOperationStatus(env: HandlerEnv, id: string): ArmReply {
  const op = env.operations.get(id);
  if (!op) throw new ArmError(404, 'OperationNotFound', `The operation '${id}' could not be found.`);
  return { status: 200, body: env.operations.statusBody(op) };
}

/** GET of a Location URL: 202 while running, then what the operation would have answered at once. */
export function operationResult(
  env: HandlerEnv,
  id: string,
  kindFor: (type: string) => ResourceKind | undefined,
): ArmReply {
  const op = env.operations.get(id);
  if (!op) throw new ArmError(404, 'OperationNotFound', `The operation '${id}' could not be found.`);
  if (!TERMINAL.has(op.status))
    return {
      status: 202,
      headers: { location: env.operations.locationUrl(env.baseUrl(), op), ...retryAfter(env) },
    };
  if (op.status !== 'Succeeded') {
    const error = op.error ?? { code: op.status, message: `The operation ${op.status.toLowerCase()}.` };
    throw new ArmError(error.code === 'InternalServerError' ? 500 : 400, error.code, error.message);
  }
  if (op.kind === 'delete') return { status: 204 };
  const r = env.ctx.store.get(op.resourceId);
  const kind = r ? kindFor(r.type) : undefined;
  return r && kind ? { status: 200, body: viewOf(env, kind, r) } : { status: 204 };
}
