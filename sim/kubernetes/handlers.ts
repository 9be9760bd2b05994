/**
 * Dispatch of resource requests (verbs on collections, objects and subresources) to the registry,
 * with content negotiation (plain JSON, meta.k8s.io Table for kubectl, PartialObjectMetadata) and
 * the real server's query parameters: dryRun, fieldManager, force, watch, labelSelector,
 * fieldSelector, limit, continue, resourceVersion, allowWatchBookmarks, timeoutSeconds.
 */
import type { ServerResponse } from 'node:http';
import { parseBody, patchObject, toScale, updateScale } from './patch.js';
import type { ListBody, Registry, WriteOptions } from './registry.js';
import { parseSelectors } from './registry.js';
import type { ResourceInfo } from './resources.js';
import { BUILTIN_GROUPS, inferredResource } from './resources.js';
import type { ResourceRoute } from './router.js';
import { ApiError, badRequest, methodNotAllowed } from './status-errors.js';
import type { IncludeObject } from './table.js';
import { toTable } from './table.js';
import type { JsonObject, KubeObject } from './types.js';
import { isObject } from './types.js';
import { serveWatch } from './watch.js';

/** One decoded HTTP request for a resource. */
export interface ResourceRequest {
  method: string;
  route: ResourceRoute;
  query: URLSearchParams;
  headers: { accept: string; contentType: string; userAgent: string };
  body: string;
}

/** Response to send, or 'streaming' when the handler took over the response (watch). */
export type HandlerResult = { code: number; body: unknown } | 'streaming';

/** Knobs the handlers need. */
export interface HandlerOptions {
  bookmarkIntervalMs: number;
  /** Learn a kind of an unknown group from its first write instead of answering 404 (no CRD needed). */
  learnUnknownKinds: boolean;
}

const notServed = (): ApiError =>
  new ApiError(404, 'NotFound', 'the server could not find the requested resource', {});

// Finds the resource. A kind with no CRD is not served (404, as a real cluster answers), unless the
// cluster learns unknown group/version/resources from writes (as if it had the CRD).
function resolve(registry: Registry, req: ResourceRequest, learn: boolean): ResourceInfo {
  const { group, version, resource, namespace, name } = req.route;
  const known = registry.catalogue.get(group, version, resource);
  if (known) return known;
  if (!learn) throw notServed();
  const isWrite = req.method === 'POST' || req.method === 'PUT' || req.method === 'PATCH';
  if (!isWrite || group === '' || BUILTIN_GROUPS.has(group) || req.route.subresource) throw notServed();
  if ((req.method === 'POST') === (name !== undefined)) throw notServed();
  let kind: string | undefined;
  try {
    const parsed = parseBody(req.body, true);
    if (isObject(parsed) && typeof parsed.kind === 'string') kind = parsed.kind;
  } catch {
    // The write itself reports the bad body.
  }
  const info = inferredResource(group, version, resource, kind, namespace !== undefined);
  registry.catalogue.add(info);
  return info;
}

function writeOptions(req: ResourceRequest): WriteOptions & { force?: boolean } {
  const dryRun = req.query.getAll('dryRun');
  if (dryRun.some((d) => d !== 'All'))
    throw badRequest(`Invalid dryRun: ${dryRun.join(',')}: supported values: "All"`);
  const opts: WriteOptions & { force?: boolean } = {
    dryRun: dryRun.length > 0,
    userAgent: req.headers.userAgent,
  };
  const manager = req.query.get('fieldManager');
  if (manager) opts.fieldManager = manager;
  const force = req.query.get('force');
  if (force !== null) opts.force = force === 'true' || force === '1';
  if (req.route.subresource) opts.subresource = req.route.subresource;
  return opts;
}

function parseJson(body: string): unknown {
  if (body.trim() === '') return undefined;
  try {
    return JSON.parse(body);
  } catch (err) {
    throw badRequest(`error decoding request body: ${(err as Error).message}`);
  }
}

function includeObject(query: URLSearchParams): IncludeObject {
  const v = query.get('includeObject');
  return v === 'None' || v === 'Object' ? v : 'Metadata';
}

const wantsTable = (accept: string): boolean => /as=Table/.test(accept) && /g=meta\.k8s\.io/.test(accept);
const wantsMetadata = (accept: string): boolean => /as=PartialObjectMetadata/.test(accept);

function partial(object: KubeObject): JsonObject {
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: object.metadata };
}

function renderList(info: ResourceInfo, list: ListBody, req: ResourceRequest): unknown {
  if (wantsTable(req.headers.accept))
    return toTable(info, list.items, list.metadata, includeObject(req.query));
  if (wantsMetadata(req.headers.accept)) {
    return {
      kind: 'PartialObjectMetadataList',
      apiVersion: 'meta.k8s.io/v1',
      metadata: list.metadata,
      items: list.items.map(partial),
    };
  }
  return list;
}

function renderObject(info: ResourceInfo, object: KubeObject, req: ResourceRequest): unknown {
  if (wantsTable(req.headers.accept))
    return toTable(
      info,
      [object],
      { resourceVersion: object.metadata.resourceVersion },
      includeObject(req.query),
    );
  if (wantsMetadata(req.headers.accept)) return partial(object);
  return object;
}

/** Handles one resource request. */
export function handleResource(
  registry: Registry,
  req: ResourceRequest,
  res: ServerResponse,
  opts: HandlerOptions,
): HandlerResult {
  const info = resolve(registry, req, opts.learnUnknownKinds);
  const { route, method, query } = req;
  if (info.namespaced === false && route.namespace !== undefined) throw notServed();
  if (info.namespaced && route.namespace === undefined && (route.name !== undefined || method === 'POST'))
    throw notServed();
  const namespace = route.namespace ?? '';
  const isWatch = route.watchPrefix || query.get('watch') === 'true' || query.get('watch') === '1';

  if (route.name === undefined) {
    if (method === 'GET' && isWatch) {
      serveWatch(
        res,
        registry,
        {
          info,
          namespace: route.namespace,
          selectors: parseSelectors(query),
          resourceVersion: query.get('resourceVersion') ?? undefined,
          allowBookmarks: query.get('allowWatchBookmarks') === 'true',
          timeoutSeconds: query.has('timeoutSeconds') ? Number(query.get('timeoutSeconds')) : undefined,
          render: (o) => renderObject(info, o, req),
        },
        opts,
      );
      return 'streaming';
    }
    if (method === 'GET')
      return { code: 200, body: renderList(info, registry.list(info, route.namespace, query), req) };
    if (method === 'POST')
      return { code: 201, body: registry.create(info, namespace, parseJson(req.body), writeOptions(req)) };
    if (method === 'DELETE')
      return { code: 200, body: registry.removeCollection(info, route.namespace, query, writeOptions(req)) };
    throw methodNotAllowed();
  }

  const name = route.name;
  if (route.subresource !== undefined && !info.subresources.includes(route.subresource)) throw notServed();
  if (method === 'GET' && isWatch) {
    const q = new URLSearchParams(query);
    q.set('fieldSelector', [query.get('fieldSelector'), `metadata.name=${name}`].filter(Boolean).join(','));
    serveWatch(
      res,
      registry,
      {
        info,
        namespace: route.namespace,
        selectors: parseSelectors(q),
        resourceVersion: query.get('resourceVersion') ?? undefined,
        allowBookmarks: query.get('allowWatchBookmarks') === 'true',
        timeoutSeconds: query.has('timeoutSeconds') ? Number(query.get('timeoutSeconds')) : undefined,
        render: (o) => renderObject(info, o, req),
      },
      opts,
    );
    return 'streaming';
  }
  const scale = route.subresource === 'scale';
  switch (method) {
    case 'GET': {
      const object = registry.get(info, namespace, name);
      return { code: 200, body: scale ? toScale(object) : renderObject(info, object, req) };
    }
    case 'PUT': {
      const options = writeOptions(req);
      if (scale) {
        const body = parseJson(req.body);
        return {
          code: 200,
          body: updateScale(
            registry,
            info,
            registry.get(info, namespace, name),
            isObject(body) ? body : {},
            options,
          ),
        };
      }
      return { code: 200, body: registry.update(info, namespace, name, parseJson(req.body), options) };
    }
    case 'PATCH': {
      const existed =
        registry.store.get(registry.key(info), info.namespaced ? namespace : '', name) !== undefined;
      const object = patchObject(
        registry,
        info,
        namespace,
        name,
        req.headers.contentType,
        req.body,
        writeOptions(req),
      );
      return { code: existed ? 200 : 201, body: object };
    }
    case 'DELETE':
      return {
        code: 200,
        body: registry.remove(info, namespace, name, parseJson(req.body), writeOptions(req)),
      };
    default:
      throw methodNotAllowed();
  }
}
