/**
 * The GCE simulator: Compute Engine v1 REST JSON on 127.0.0.1 (its own node:http server), as
 * @google-cloud/compute's REST transport and any other Compute client call it. Bearer-token auth,
 * asynchronous operations, Google's error bodies, pagination, requestId idempotency and fault
 * injection (programmatic, and `GET|POST /_sim/faults` with the same bearer token).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CollectionDef } from './collections.js';
import { aggregatedList, handleCollection } from './collections.js';
import { instances, machineTypes, regions, zones } from './compute.js';
import type { RequestCtx, SimState } from './context.js';
import type { GceApiError } from './errors.js';
import {
  GceApiError as ApiError,
  backendError,
  invalid,
  noSuchMethod,
  notFound,
  rateLimited,
  unauthenticated,
} from './errors.js';
import type { GceFaults } from './faults.js';
import { FaultState } from './faults.js';
import type { Scope } from './links.js';
import { networks, routes, subnetworks } from './network.js';
import { OperationRunner } from './operations.js';
import type { SeedProject } from './seed.js';
import { seedProject } from './seed.js';
import { disks, snapshots } from './storage.js';
import type { GceResource } from './store.js';
import { GceStore } from './store.js';
import { externalVpnGateways, routers, vpnGateways, vpnTunnels } from './vpn.js';

/** Options of one simulator. */
export interface GceSimProps {
  /** Bearer tokens the API accepts. */
  readonly tokens: readonly string[];
  readonly projects: readonly SeedProject[];
  /** Port on 127.0.0.1 (default 0: any free port). */
  readonly port?: number;
  /** How long operations run (default 60 ms). */
  readonly operationDelayMs?: number;
  /** From full BGP configuration to ESTABLISHED (default: the operation delay). */
  readonly tunnelEstablishMs?: number;
  /** Longest `operations/NAME/wait` holds before answering a not-DONE operation (GCE: about 2 min). */
  readonly waitCapMs?: number;
}

/** A running simulator. */
export interface GceSim {
  /** http://127.0.0.1:PORT */
  readonly url: string;
  readonly port: number;
  readonly faults: GceFaults;
  /** Requests served by method (`networks.insert`, `zoneOperations.wait`), faulted ones included. */
  served(): Readonly<Record<string, number>>;
  /** A resource as the API would answer it, for test assertions (`projects/p/global/networks/n`). */
  resource(relativePath: string): GceResource | undefined;
  /** Every live resource of a collection over all projects (`vpnTunnels`), for test assertions. */
  resources(collection: string): GceResource[];
  close(): Promise<void>;
}

const COLLECTIONS: readonly CollectionDef[] = [
  networks,
  subnetworks,
  routes,
  vpnGateways,
  externalVpnGateways,
  routers,
  vpnTunnels,
  instances,
  machineTypes,
  disks,
  snapshots,
];
const OPS_NAME = {
  global: 'globalOperations',
  regions: 'regionOperations',
  zones: 'zoneOperations',
} as const;
const MAX_BODY = 1024 * 1024;

/** Starts a simulator on 127.0.0.1. */
export async function startGceSim(props: GceSimProps): Promise<GceSim> {
  const store = new GceStore();
  const opDelay = props.operationDelayMs ?? 60;
  const faults = new FaultState(opDelay);
  const ops = new OperationRunner(store, faults, 'fedgate-sim@fedgate-sim.iam.gserviceaccount.com');
  let ipSeq = 0;
  const sim: SimState = {
    store,
    ops,
    nextPublicIp: () => {
      ipSeq++;
      return `35.242.${Math.floor(ipSeq / 250) % 250}.${(ipSeq % 250) + 2}`;
    },
    tunnelEstablishMs: () => props.tunnelEstablishMs ?? faults.operationDelay(),
  };
  for (const p of props.projects) seedProject(store, p);
  const projects = new Set(props.projects.map((p) => p.id));
  const tokens = new Set(props.tokens);
  const served: Record<string, number> = {};
  const waitCap = props.waitCapMs ?? 120_000;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const body = await readBody(req);
    const auth = req.headers.authorization ?? '';
    const token = auth.startsWith('Bearer ') ? auth.slice(7) : '';
    if (!tokens.has(token)) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="https://accounts.google.com/", error="invalid_token"');
      throw unauthenticated();
    }
    if (url.pathname === '/_sim/faults') {
      if (req.method === 'POST') faults.applyBody(parseJson(body));
      return send(res, 200, faults.settings());
    }
    const m = /^\/compute\/v1\/projects\/([^/]+)(?:\/(.*))?$/.exec(url.pathname);
    if (!m) throw noSuchMethod(req.method ?? 'GET', url.pathname);
    const project = decodeURIComponent(m[1]!);
    const segs = (m[2] ?? '').split('/').filter(Boolean).map(decodeURIComponent);
    const route = resolveRoute(req.method ?? 'GET', segs);
    served[route.method] = (served[route.method] ?? 0) + 1;
    const verdict = faults.verdict();
    if (verdict === 'throttle') throw rateLimited();
    if (verdict === 'fail') throw backendError();
    if (!projects.has(project)) throw notFound(`projects/${project}`);
    if (route.scope.kind !== 'global') {
      const loc = store.get({
        project,
        scope: { kind: 'global' },
        collection: route.scope.kind,
        name: route.scope.name,
      });
      if (!loc) throw notFound(`projects/${project}/${route.scope.kind}/${route.scope.name}`);
    }
    const ctx: RequestCtx = {
      sim,
      project,
      scope: route.scope,
      collection: route.collection,
      ...(route.name === undefined ? {} : { name: route.name }),
      query: url.searchParams,
      body: body.length > 0 && req.method !== 'GET' && req.method !== 'DELETE' ? parseJson(body) : {},
    };
    send(res, 200, await route.run(ctx));
  };

  function resolveRoute(
    method: string,
    segs: string[],
  ): {
    method: string;
    scope: Scope;
    collection: string;
    name?: string;
    run: (ctx: RequestCtx) => GceResource | Promise<GceResource>;
  } {
    const [first, second, third, fourth, fifth] = segs;
    if ((first === 'regions' || first === 'zones') && segs.length <= 2 && method === 'GET') {
      const def = first === 'regions' ? regions : zones;
      const verb = second === undefined ? 'list' : 'get';
      return {
        method: `${first}.${verb}`,
        scope: { kind: 'global' },
        collection: first,
        ...(second === undefined ? {} : { name: second }),
        run: (ctx) => handleCollection(def, method, ctx, undefined).run(),
      };
    }
    if (first === 'aggregated' && second && segs.length === 2 && method === 'GET') {
      const def = COLLECTIONS.find((c) => c.name === second && c.aggregated);
      if (!def) throw noSuchMethod(method, segs.join('/'));
      return {
        method: `${second}.aggregatedList`,
        scope: { kind: 'global' },
        collection: second,
        run: (ctx) => {
          const kind = def.scope === 'zones' ? 'zones' : 'regions';
          const keys = store.list(ctx.project, kind).map((r) => `${kind}/${r.value.name}`);
          return aggregatedList(def, ctx, keys);
        },
      };
    }
    let scope: Scope;
    let rest: (string | undefined)[];
    if (first === 'global') {
      scope = { kind: 'global' };
      rest = [second, third, fourth];
    } else if ((first === 'regions' || first === 'zones') && second) {
      scope = { kind: first, name: second };
      rest = [third, fourth, fifth];
    } else throw noSuchMethod(method, segs.join('/'));
    const [collection, name, action] = rest;
    if (collection === 'operations') {
      const opsName = OPS_NAME[scope.kind];
      const verb = !name
        ? 'list'
        : action === 'wait' && method === 'POST'
          ? 'wait'
          : !action && method === 'GET'
            ? 'get'
            : undefined;
      if (!verb || verb === 'list') throw noSuchMethod(method, segs.join('/'));
      return {
        method: `${opsName}.${verb}`,
        scope,
        collection,
        name: name!,
        run: (ctx) => {
          const path = { project: ctx.project, scope, collection: 'operations', name: name! };
          return verb === 'wait' ? ops.wait(path, waitCap) : ops.get(path);
        },
      };
    }
    const def = COLLECTIONS.find((c) => c.name === collection && c.scope === scope.kind);
    if (!def || segs.length > (scope.kind === 'global' ? 4 : 5)) throw noSuchMethod(method, segs.join('/'));
    const probe = handleCollection(def, method, { name } as RequestCtx, action);
    return {
      method: `${collection}.${probe.verb}`,
      scope,
      collection: collection!,
      ...(name === undefined ? {} : { name }),
      run: (ctx) => handleCollection(def, method, ctx, action).run(),
    };
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (res.headersSent) return;
      const apiErr: GceApiError =
        err instanceof ApiError
          ? err
          : new ApiError(500, 'backendError', `Internal error: ${String(err)}`, 'INTERNAL');
      send(res, apiErr.httpStatus, apiErr.body());
    });
  });
  await new Promise<void>((resolve) => server.listen(props.port ?? 0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    faults,
    served: () => ({ ...served }),
    resources: (collection) => store.all(collection).map((r) => r.value),
    resource: (path) => {
      const m = /^projects\/([^/]+)\/(global|regions\/[^/]+|zones\/[^/]+)\/([^/]+)\/([^/]+)$/.exec(path);
      if (!m) return undefined;
      const [kind, loc] = m[2]!.split('/');
      const scope: Scope =
        kind === 'global' ? { kind: 'global' } : { kind: kind as 'regions' | 'zones', name: loc! };
      return store.get({ project: m[1]!, scope, collection: m[3]!, name: m[4]! });
    },
    close: async () => {
      ops.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw invalid('body', 'request body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function parseJson(body: Buffer): Record<string, unknown> {
  const text = body.toString('utf8').trim();
  if (text === '' || text === '""') return {};
  try {
    const v = JSON.parse(text) as unknown;
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // answered below
  }
  throw invalid('body', 'Invalid JSON payload received.');
}

function send(res: ServerResponse, status: number, body: object): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=UTF-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}
