/**
 * Maps an ARM request (method + path) to its handler and names its operation the way ARM's
 * operation ids do (`VirtualNetworkPeerings_CreateOrUpdate`), for the served-request counts.
 */
import { locationsBody, resourceSkusBody, type SimRegion, vmSizesBody } from './catalogue.js';
import { ArmError, invalidField, resourceGroupNotFound } from './errors.js';
import {
  type ArmReply,
  asyncOperationStatus,
  deleteResource,
  getResource,
  type HandlerEnv,
  listPage,
  operationResult,
  putResource,
  viewOf,
} from './handlers.js';
import { kindOf, operationGroup } from './kinds-registry.js';
import { type ResourceRef, typeOf } from './model.js';

/** A routed request: its operation name and how to answer it. */
export interface RoutedRequest {
  readonly operation: string;
  run(): ArmReply;
}

/** What routing needs besides the handler environment. */
export interface RouterEnv extends HandlerEnv {
  readonly regions: readonly SimRegion[];
}

function notFoundPath(path: string): ArmError {
  return new ArmError(
    404,
    'InvalidResourceType',
    `The resource type could not be found for the path '${path}'.`,
  );
}

function groupBody(
  subscription: string,
  g: { name: string; location: string; tags: Record<string, string>; managedBy?: string },
) {
  return {
    id: `/subscriptions/${subscription}/resourceGroups/${g.name}`,
    name: g.name,
    type: 'Microsoft.Resources/resourceGroups',
    location: g.location,
    ...(g.managedBy ? { managedBy: g.managedBy } : {}),
    tags: g.tags,
    properties: { provisioningState: 'Succeeded' },
  };
}

/** Routes one request; throws the ARM error for a path the simulator does not know. */
export function route(env: RouterEnv, method: string, url: URL, body: unknown): RoutedRequest {
  const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
  const lower = parts.map((p) => p.toLowerCase());
  const apiVersion = url.searchParams.get('api-version') ?? '';
  const sub = parts[1] ?? '';
  const store = env.ctx.store;
  if (lower[0] !== 'subscriptions' || parts.length < 2) throw notFoundPath(url.pathname);
  if (!store.subscriptions.has(sub.toLowerCase()))
    throw new ArmError(404, 'SubscriptionNotFound', `The subscription '${sub}' could not be found.`);
  if (parts.length === 3 && lower[2] === 'locations' && method === 'GET')
    return {
      operation: 'Subscriptions_ListLocations',
      run: () => listPage(env, url, locationsBody(sub, env.regions)),
    };
  if (lower[2] === 'resourcegroups') return routeGroup(env, method, url, parts, body, apiVersion);
  if (lower[2] === 'providers' && parts.length >= 5) {
    const ns = parts[3]!;
    if (lower[4] === 'locations' && parts.length === 8 && method === 'GET') {
      const id = parts[7]!;
      if (lower[6] === 'operations')
        return { operation: 'AzureAsyncOperation_Get', run: () => asyncOperationStatus(env, id) };
      if (lower[6] === 'operationresults')
        return { operation: 'OperationResults_Get', run: () => operationResult(env, id, kindOf) };
    }
    if (lower[4] === 'locations' && lower[6] === 'vmsizes' && parts.length === 7 && method === 'GET')
      return { operation: 'VirtualMachineSizes_List', run: () => listPage(env, url, vmSizesBody()) };
    if (lower[4] === 'skus' && parts.length === 5 && method === 'GET') {
      const filter = /location\s+eq\s+'([^']+)'/i.exec(url.searchParams.get('$filter') ?? '');
      return {
        operation: 'ResourceSkus_List',
        run: () => listPage(env, url, resourceSkusBody(env.regions, filter?.[1]?.toLowerCase())),
      };
    }
    if (parts.length === 5 && method === 'GET') {
      const type = `${ns}/${parts[4]}`;
      const kind = kindOf(type);
      if (!kind) throw notFoundPath(url.pathname);
      return {
        operation: `${operationGroup(type)}_ListAll`,
        run: () =>
          listPage(
            env,
            url,
            store.list(type, { subscription: sub }).map((r) => viewOf(env, kind, r)),
          ),
      };
    }
  }
  throw notFoundPath(url.pathname);
}

function routeGroup(
  env: RouterEnv,
  method: string,
  url: URL,
  parts: string[],
  body: unknown,
  apiVersion: string,
): RoutedRequest {
  const store = env.ctx.store;
  const sub = parts[1]!;
  if (parts.length === 3 && method === 'GET')
    return {
      operation: 'ResourceGroups_List',
      run: () =>
        listPage(
          env,
          url,
          store.groups(sub).map((g) => groupBody(sub, g)),
        ),
    };
  const rg = parts[3]!;
  if (parts.length === 4) {
    if (method === 'GET')
      return {
        operation: 'ResourceGroups_Get',
        run: () => {
          const g = store.group(sub, rg);
          if (!g) throw resourceGroupNotFound(rg);
          return { status: 200, body: groupBody(sub, g) };
        },
      };
    if (method === 'PUT')
      return {
        operation: 'ResourceGroups_CreateOrUpdate',
        run: () => {
          const b = (body ?? {}) as Record<string, unknown>;
          if (typeof b.location !== 'string') throw invalidField('location', 'a location is required');
          const existed = store.group(sub, rg);
          const g = {
            name: existed?.name ?? rg,
            location: b.location.replace(/\s+/g, '').toLowerCase(),
            tags: (b.tags as Record<string, string>) ?? {},
          };
          store.putGroup(sub, g);
          return { status: existed ? 200 : 201, body: groupBody(sub, g) };
        },
      };
    if (method === 'DELETE')
      return {
        operation: 'ResourceGroups_Delete',
        run: () => {
          if (!store.group(sub, rg)) return { status: 204 };
          store.deleteGroup(sub, rg);
          return { status: 200 };
        },
      };
  }
  if (parts.length < 7 || parts[4]!.toLowerCase() !== 'providers') throw notFoundPath(url.pathname);
  const rest = parts.slice(6);
  const segments: [string, string][] = [];
  for (let i = 0; i + 1 < rest.length; i += 2) segments.push([rest[i]!, rest[i + 1]!]);
  const collection = rest.length % 2 === 1 ? rest[rest.length - 1]! : undefined;
  const base: ResourceRef = { subscription: sub, resourceGroup: rg, namespace: parts[5]!, segments };
  const type = collection
    ? [typeOf({ ...base, segments: [] }), ...segments.map(([t]) => t), collection].join('/')
    : typeOf(base);
  const kind = kindOf(type);
  if (!kind) throw notFoundPath(url.pathname);
  const group = operationGroup(kind.type);
  if (collection) {
    if (method !== 'GET')
      throw new ArmError(405, 'MethodNotAllowed', `${method} is not allowed on a collection.`);
    return {
      operation: `${group}_List`,
      run: () => {
        if (!store.group(sub, rg)) throw resourceGroupNotFound(rg);
        const parentId =
          segments.length > 0
            ? `/subscriptions/${sub}/resourceGroups/${rg}/providers/${base.namespace}/${segments.map(([t, n]) => `${t}/${n}`).join('/')}`
            : undefined;
        const expand = url.searchParams.get('$expand') ?? undefined;
        const items = store
          .list(
            kind.type,
            parentId ? { parentId, subscription: sub } : { subscription: sub, resourceGroup: rg },
          )
          .map((r) => viewOf(env, kind, r, expand));
        return listPage(env, url, items);
      },
    };
  }
  const expand = url.searchParams.get('$expand') ?? undefined;
  if (method === 'GET') return { operation: `${group}_Get`, run: () => getResource(env, kind, base, expand) };
  if (method === 'PUT')
    return {
      operation: `${group}_CreateOrUpdate`,
      run: () => putResource(env, kind, base, body, apiVersion),
    };
  if (method === 'DELETE')
    return { operation: `${group}_Delete`, run: () => deleteResource(env, kind, base, apiVersion) };
  throw new ArmError(
    405,
    'MethodNotAllowed',
    `${method} is not supported by the simulator for ${kind.type}.`,
  );
}
