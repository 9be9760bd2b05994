/**
 * The generic REST verbs of a GCE collection: get, list, aggregatedList, insert, delete, and
 * custom methods (`addPeering`, `createSnapshot`, …), each collection describing only what is its own.
 */
import type { RequestCtx } from './context.js';
import { isPending, markPending, targetPath } from './context.js';
import { alreadyExists, inUse, noSuchMethod, notFound } from './errors.js';
import { compileFilter } from './filter.js';
import type { ResourcePath } from './links.js';
import { API_BASE, relativePath, scopePath } from './links.js';
import type { GceResource } from './store.js';
import { paginate } from './store.js';

/** What an insert makes: the resource and its operation's hooks. */
export interface Creation {
  readonly resource: GceResource;
  /** Visible (with its own status) while the operation runs: disks, snapshots, VPN tunnels. */
  readonly visibleAtStart?: boolean;
  readonly onRunning?: () => void;
  /** Runs when the operation completes, after the resource became visible. */
  readonly onDone?: () => void;
  readonly onFail?: (reason: string) => void;
}

/** One collection of the API. */
export interface CollectionDef {
  /** URL segment and operation-name prefix (`networks`). */
  readonly name: string;
  readonly scope: 'global' | 'regions' | 'zones';
  /** `compute#network`; lists are `…List`, aggregated lists `…AggregatedList`. */
  readonly kind: string;
  readonly aggregated?: boolean;
  /** Builds a resource from an insert body (validating it); absent: read-only collection. */
  create?(ctx: RequestCtx, name: string): Creation;
  /** Who uses the resource (a path), which makes deleting it fail. */
  usedBy?(ctx: RequestCtx, path: ResourcePath, value: GceResource): string | undefined;
  /** Side effects of a completed delete (routes of a subnet, peerings of a network). */
  onDeleted?(ctx: RequestCtx, path: ResourcePath, value: GceResource): void;
  /** Updates a stored resource for reading (state that moves with time); strips nothing. */
  refresh?(ctx: RequestCtx, value: GceResource): void;
  /** Custom methods on one resource: POST …/NAME/method, answered with an Operation. */
  readonly methods?: Readonly<Record<string, (ctx: RequestCtx) => GceResource>>;
  /** PATCH (merge) or PUT (`replace`: the body is the whole resource) on one resource, answered with an Operation. */
  patch?(ctx: RequestCtx, replace: boolean): GceResource;
  /** Resources generated rather than stored (machine types of a zone). */
  generated?(ctx: RequestCtx): GceResource[];
}

/** Handles a request to a collection; `verb` is the method name in served counts. */
export function handleCollection(
  def: CollectionDef,
  httpMethod: string,
  ctx: RequestCtx,
  action: string | undefined,
): { verb: string; run: () => GceResource } {
  const listing = ctx.name === undefined;
  if (httpMethod === 'GET' && listing) return { verb: 'list', run: () => list(def, ctx) };
  if (httpMethod === 'GET' && !action) return { verb: 'get', run: () => getOne(def, ctx) };
  if (httpMethod === 'POST' && listing && def.create) return { verb: 'insert', run: () => insert(def, ctx) };
  if (httpMethod === 'DELETE' && !listing && !action && def.create)
    return { verb: 'delete', run: () => remove(def, ctx) };
  if ((httpMethod === 'PATCH' || httpMethod === 'PUT') && !listing && !action && def.patch) {
    const patch = def.patch.bind(def);
    const replace = httpMethod === 'PUT';
    return { verb: replace ? 'update' : 'patch', run: () => patch(ctx, replace) };
  }
  const method = action ? def.methods?.[action] : undefined;
  if (httpMethod === 'POST' && method) return { verb: action!, run: () => method(ctx) };
  throw noSuchMethod(httpMethod, `${def.name}${ctx.name ? `/${ctx.name}` : ''}${action ? `/${action}` : ''}`);
}

/** Handles GET …/aggregated/COLLECTION. */
export function aggregatedList(def: CollectionDef, ctx: RequestCtx, scopes: readonly string[]): GceResource {
  const matches = compileFilter(ctx.query.get('filter'));
  const rows: { key: string; item: GceResource }[] = [];
  for (const { path, value } of ctx.sim.store.list(ctx.project, def.name)) {
    if (isPending(value)) continue;
    def.refresh?.(ctx, value);
    if (matches(value)) rows.push({ key: scopePath(path.scope), item: value });
  }
  const page = paginate(rows, ctx.query.get('maxResults'), ctx.query.get('pageToken'));
  const items: Record<string, object> = {};
  for (const key of scopes) {
    const here = page.items.filter((r) => r.key === key).map((r) => r.item);
    items[key] =
      here.length > 0
        ? { [def.name]: here }
        : {
            warning: {
              code: 'NO_RESULTS_ON_PAGE',
              message: `There are no results for scope '${key}' on this page.`,
              data: [{ key: 'scope', value: key }],
            },
          };
  }
  return {
    kind: `${def.kind}AggregatedList`,
    id: `projects/${ctx.project}/aggregated/${def.name}`,
    items,
    selfLink: `${API_BASE}projects/${ctx.project}/aggregated/${def.name}`,
    ...(page.nextPageToken ? { nextPageToken: page.nextPageToken } : {}),
  };
}

function list(def: CollectionDef, ctx: RequestCtx): GceResource {
  const matches = compileFilter(ctx.query.get('filter'));
  const stored = def.generated
    ? def.generated(ctx)
    : ctx.sim.store.list(ctx.project, def.name, ctx.scope).map((r) => r.value);
  const visible = stored.filter((v) => !isPending(v));
  for (const v of visible) def.refresh?.(ctx, v);
  const page = paginate(visible.filter(matches), ctx.query.get('maxResults'), ctx.query.get('pageToken'));
  const where = `projects/${ctx.project}/${scopePath(ctx.scope)}/${def.name}`;
  return {
    kind: `${def.kind}List`,
    id: where,
    items: page.items,
    selfLink: API_BASE + where,
    ...(page.nextPageToken ? { nextPageToken: page.nextPageToken } : {}),
  };
}

function getOne(def: CollectionDef, ctx: RequestCtx): GceResource {
  const path = targetPath(ctx);
  const value = def.generated ? def.generated(ctx).find((v) => v.name === ctx.name) : ctx.sim.store.get(path);
  if (!value || isPending(value)) throw notFound(relativePath(path));
  def.refresh?.(ctx, value);
  return value;
}

function insert(def: CollectionDef, ctx: RequestCtx): GceResource {
  const requestId = ctx.query.get('requestId');
  const name = typeof ctx.body.name === 'string' ? ctx.body.name : '';
  const path = targetPath(ctx, name);
  const start = () => {
    if (ctx.sim.store.get(path)) throw alreadyExists(relativePath(path));
    const made = def.create!(ctx, name);
    markPending(made.resource, !made.visibleAtStart);
    ctx.sim.store.put(path, made.resource);
    return made;
  };
  let made: Creation | undefined;
  return ctx.sim.ops.start({
    project: ctx.project,
    scope: ctx.scope,
    operationType: 'insert',
    target: path,
    requestId,
    prepare: () => {
      made = start();
    },
    onRunning: () => made?.onRunning?.(),
    apply: () => {
      if (made) markPending(made.resource, false);
      made?.onDone?.();
    },
    onFail: (reason) => {
      if (made?.onFail) made.onFail(reason);
      else ctx.sim.store.delete(path);
    },
  });
}

function remove(def: CollectionDef, ctx: RequestCtx): GceResource {
  const path = targetPath(ctx);
  return ctx.sim.ops.start({
    project: ctx.project,
    scope: ctx.scope,
    operationType: 'delete',
    target: path,
    requestId: ctx.query.get('requestId'),
    prepare: () => {
      const value = ctx.sim.store.get(path);
      if (!value || isPending(value)) throw notFound(relativePath(path));
      const user = def.usedBy?.(ctx, path, value);
      if (user) throw inUse(def.kind.replace('compute#', ''), relativePath(path), user);
    },
    apply: () => {
      const value = ctx.sim.store.get(path);
      if (!value) return;
      ctx.sim.store.delete(path);
      def.onDeleted?.(ctx, path, value);
    },
  });
}
