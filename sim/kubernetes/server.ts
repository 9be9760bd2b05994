/**
 * One simulated cluster: a Kubernetes API server on 127.0.0.1 (plain node:http), its storage,
 * control loops and fault injection. `startKubeSim` boots it with the namespaces every cluster has
 * (default, kube-system, kube-public, kube-node-lease), its Nodes and the `kubernetes` Service.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { Socket } from 'node:net';
import { stringify as toYaml } from 'yaml';
import { MAX_FAULT_BODY, refusal } from './access.js';
import { ClusterController } from './controller.js';
import { watchCrds } from './crd.js';
import type { CsiControls, CsiOptions } from './csi.js';
import { CsiDriverSim } from './csi.js';
import { apiGroup, apiGroupList, apiResourceList, apiVersions, versionInfo } from './discovery.js';
import { EventRecorder } from './events.js';
import type { FaultControls, FaultState, InjectedErrorKind } from './faults.js';
import { FaultInjector, parseFaultUpdate } from './faults.js';
import { handleResource } from './handlers.js';
import type { NodeSpec } from './nodes.js';
import { nodeObject } from './nodes.js';
import { Registry } from './registry.js';
import { groupResourceKey, ResourceCatalogue, splitApiVersion } from './resources.js';
import { route } from './router.js';
import type { NodeUsage } from './scheduler-sim.js';
import { ApiError, internalError, tooManyRequests } from './status-errors.js';
import { ObjectStore } from './storage.js';
import type { ServingCertificate } from './tls.js';
import type { GroupVersionResource, KubeObject } from './types.js';

/** Options of one simulated cluster. */
export interface KubeSimProps {
  /** Cluster name (used in kubeconfigs and messages). */
  name: string;
  nodes: readonly NodeSpec[];
  /** Kubernetes gitVersion reported by /version and kubelets (default v1.32.2). */
  version?: string;
  /** Port on 127.0.0.1 (default 0: any free port). */
  port?: number;
  /** Delay before a bound Pod is Running+Ready (default 50 ms). */
  podReadyDelayMs?: number;
  /** Interval of watch BOOKMARK events when allowed (default 10 s). */
  bookmarkIntervalMs?: number;
  /** Watch history retained per resource (default 1000 events). */
  historySize?: number;
  /** Record core/v1 Events (default true). */
  events?: boolean;
  /** Namespaces to create besides the built-in ones. */
  namespaces?: readonly string[];
  /** Service CIDR for ClusterIPs (default 10.96.0.0/12). */
  serviceCidr?: string;
  /** Cluster pod CIDR: node i gets its i-th /24 (default 10.244.0.0/16). */
  podCidr?: string;
  /**
   * The bearer token every request must carry, as a real cluster requires its credentials (401
   * otherwise; /healthz and /version stay public). Unset: any caller is served, for tests that
   * reach the cluster by URL alone.
   */
  token?: string;
  /** Serve HTTPS with this certificate (kubectl sends a token only over TLS). Default: plain HTTP. */
  tls?: ServingCertificate;
  /**
   * Run a CSI driver with snapshot support (dynamic provisioning, the snapshot.storage.k8s.io CRDs
   * and their controllers), as a cluster with the external-snapshotter installed. Default: none.
   */
  csi?: CsiOptions;
  /**
   * Serve a kind of an unknown group from its first write, as if its CRD were installed (default
   * false: like a real cluster, a kind with no CRD or built-in resource is answered 404).
   */
  learnUnknownKinds?: boolean;
}

/** A running simulated cluster. */
export interface KubeSim {
  readonly name: string;
  /** http://127.0.0.1:PORT, or https:// when serving TLS */
  readonly url: string;
  readonly port: number;
  /** The bearer token it requires, if any (its kubeconfig carries it). */
  readonly token: string | undefined;
  readonly faults: FaultControls;
  /** The CSI driver's switches, when the cluster runs one (props.csi). */
  readonly csi: CsiControls | undefined;
  /** Objects of a resource ('apps/v1/deployments', 'v1/pods' or a GVR), optionally in one namespace. */
  objects(gvr: GroupVersionResource | string, namespace?: string): KubeObject[];
  /** One object, or undefined. */
  object(gvr: GroupVersionResource | string, namespace: string, name: string): KubeObject | undefined;
  /** The cluster's current resourceVersion. */
  resourceVersion(): string;
  /** Requests answered so far (any path but /_sim/faults, refusals included). */
  requestCount(): number;
  /** Requested cpu/memory/pods per node. */
  nodeUsage(): ReadonlyMap<string, NodeUsage>;
  /** Resolves once the control loops have nothing queued or delayed. */
  settle(): Promise<void>;
  /** A kubeconfig (YAML) pointing at this cluster, context and cluster named after it. */
  kubeconfig(): string;
  /** Stops the server and the control loops. */
  close(): Promise<void>;
}

const MAX_BODY = 3 * 1024 * 1024;

function parseGvr(gvr: GroupVersionResource | string): { group: string; resource: string } {
  if (typeof gvr !== 'string') return gvr;
  const slash = gvr.lastIndexOf('/');
  const { group } = splitApiVersion(gvr.slice(0, slash));
  return { group, resource: gvr.slice(slash + 1) };
}

function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new ApiError(413, 'BadRequest', `Request entity too large: limit is ${limit}`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, code: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(code, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

function sendError(res: ServerResponse, err: unknown): void {
  const apiError =
    err instanceof ApiError ? err : internalError(err instanceof Error ? err.message : String(err));
  const headers: Record<string, string> = {};
  if (apiError.details?.retryAfterSeconds)
    headers['Retry-After'] = String(apiError.details.retryAfterSeconds);
  send(res, apiError.code, apiError.toStatus(), headers);
}

/**
 * An OpenAPI v2 document without schemas: kubectl downloads it for client-side validation and skips
 * kinds it has no schema for. kubectl asks for the protobuf form, where an empty message is a valid
 * (empty) Document; JSON clients get the equivalent JSON.
 */
function sendOpenApiV2(res: ServerResponse, accept: string, version: string): void {
  if (accept.includes('protobuf')) {
    res.writeHead(200, {
      'Content-Type': 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf',
      'Content-Length': 0,
    });
    res.end();
    return;
  }
  send(res, 200, { swagger: '2.0', info: { title: 'Kubernetes', version }, paths: {}, definitions: {} });
}

/** Starts a simulated cluster on 127.0.0.1. */
export async function startKubeSim(props: KubeSimProps): Promise<KubeSim> {
  const version = props.version ?? 'v1.32.2';
  const store = new ObjectStore(props.historySize);
  const catalogue = new ResourceCatalogue();
  const registry = new Registry(store, catalogue, () => new Date(), props.serviceCidr);
  const now = (): string => registry.now();
  const events = new EventRecorder(store, props.events ?? true, now);
  const controller = new ClusterController(store, {
    podReadyDelayMs: props.podReadyDelayMs ?? 50,
    now,
    events,
  });
  const stopCrds = watchCrds(store, catalogue, now);
  const csi = props.csi ? new CsiDriverSim(store, events, now, props.csi) : undefined;
  const injector = new FaultInjector();
  const handlerOptions = {
    bookmarkIntervalMs: props.bookmarkIntervalMs ?? 10_000,
    learnUnknownKinds: props.learnUnknownKinds ?? false,
  };

  const info = (resource: string) => catalogue.get('', 'v1', resource);
  for (const ns of [
    'default',
    'kube-system',
    'kube-public',
    'kube-node-lease',
    ...(props.namespaces ?? []),
  ]) {
    const nsInfo = info('namespaces');
    if (nsInfo && !store.get(groupResourceKey('', 'namespaces'), '', ns)) {
      registry.create(nsInfo, '', { metadata: { name: ns } }, { fieldManager: 'kube-apiserver' });
    }
  }
  const nodeInfo = info('nodes');
  props.nodes.forEach((spec, i) => {
    if (nodeInfo)
      registry.create(nodeInfo, '', nodeObject(spec, i, version, props.podCidr), {
        fieldManager: 'kubelet',
      });
  });
  const svcInfo = info('services');
  if (svcInfo) {
    registry.create(
      svcInfo,
      'default',
      {
        metadata: { name: 'kubernetes', labels: { component: 'apiserver', provider: 'kubernetes' } },
        spec: { ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 6443 }] },
      },
      { fieldManager: 'kube-apiserver' },
    );
  }

  const sockets = new Set<Socket>();
  let port = props.port ?? 0;

  let requests = 0;
  const serve = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const r = route(url.pathname);
    if (r.type !== 'simFaults') requests++;
    const refused = refusal(req, r, props.token);
    if (refused) {
      req.resume();
      return send(res, refused.code, refused.body);
    }
    try {
      const body = await readBody(req, r.type === 'simFaults' ? MAX_FAULT_BODY : MAX_BODY);
      if (r.type === 'simFaults') {
        if (req.method === 'PUT' || req.method === 'POST') await applyFaultUpdate(body);
        send(res, 200, injector.state());
        return;
      }
      const { latencyMs } = injector.state();
      if (latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, latencyMs));
      const verdict = injector.verdict();
      if (verdict.kind === 'throttle') throw tooManyRequests(1);
      if (verdict.kind === 'internal') throw internalError('injected fault');
      switch (r.type) {
        case 'version':
          return send(res, 200, versionInfo(version));
        case 'health':
          res.writeHead(200, { 'Content-Type': 'text/plain' });
          res.end('ok');
          return;
        case 'api':
          return send(res, 200, apiVersions(`127.0.0.1:${port}`));
        case 'apis':
          return send(res, 200, apiGroupList(catalogue));
        case 'group': {
          const doc = apiGroup(catalogue, r.group);
          if (!doc)
            throw new ApiError(404, 'NotFound', 'the server could not find the requested resource', {});
          return send(res, 200, doc);
        }
        case 'resourceList': {
          const doc = apiResourceList(catalogue, r.group, r.version);
          if (!doc)
            throw new ApiError(404, 'NotFound', 'the server could not find the requested resource', {});
          return send(res, 200, doc);
        }
        case 'openapi':
          if (url.pathname === '/openapi/v2') return sendOpenApiV2(res, req.headers.accept ?? '', version);
          throw new ApiError(404, 'NotFound', 'the server could not find the requested resource', {});
        case 'notFound':
          throw new ApiError(404, 'NotFound', 'the server could not find the requested resource', {});
        case 'resource': {
          const result = handleResource(
            registry,
            {
              method: req.method ?? 'GET',
              route: r,
              query: url.searchParams,
              headers: {
                accept: req.headers.accept ?? 'application/json',
                contentType: req.headers['content-type'] ?? 'application/json',
                userAgent: req.headers['user-agent'] ?? '',
              },
              body,
            },
            res,
            handlerOptions,
          );
          if (result !== 'streaming') send(res, result.code, result.body);
          return;
        }
      }
    } catch (err) {
      sendError(res, err);
    }
  };

  const handler = (req: IncomingMessage, res: ServerResponse) => void serve(req, res);
  const server = props.tls
    ? createTlsServer({ cert: props.tls.cert, key: props.tls.key }, handler)
    : createServer(handler);
  const scheme = props.tls ? 'https' : 'http';
  server.keepAliveTimeout = 30_000;
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const listen = (): Promise<void> =>
    new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        const address = server.address();
        if (address && typeof address === 'object') port = address.port;
        resolve();
      });
    });
  const shutdown = (): Promise<void> =>
    new Promise((resolve) => {
      if (!server.listening) {
        resolve();
        return;
      }
      server.close(() => resolve());
      for (const socket of sockets) socket.destroy();
    });
  await listen();

  let down = false;
  const setDown = async (isDown: boolean): Promise<void> => {
    injector.setDown(isDown);
    if (isDown === down) return;
    down = isDown;
    // A dead apiserver refuses connections: close the listener, re-listen on the same port later.
    if (isDown) await shutdown();
    else await listen();
  };
  const applyFaultUpdate = async (body: string): Promise<void> => {
    const update = parseFaultUpdate(body.trim() ? JSON.parse(body) : {});
    if (update.latencyMs !== undefined) injector.setLatency(update.latencyMs);
    if (update.errorRate !== undefined || update.errorKind !== undefined) {
      injector.setErrorRate(update.errorRate ?? injector.state().errorRate, update.errorKind);
    }
    // Answer first, then go down, so the caller sees its request succeed.
    if (update.down !== undefined) setImmediate(() => void setDown(update.down === true));
  };

  const faults: FaultControls = {
    down: setDown,
    latencyMs: (ms: number) => injector.setLatency(ms),
    errorRate: (p: number, kind?: InjectedErrorKind) => injector.setErrorRate(p, kind),
    failNext: (n: number, kind: 'throttle' | 'internal') => injector.failNext(n, kind),
    state: (): FaultState => injector.state(),
    reset: async () => {
      injector.setLatency(0);
      injector.setErrorRate(0, 'mixed');
      injector.failNext(0, 'internal');
      await setDown(false);
    },
  };

  return {
    name: props.name,
    get url() {
      return `${scheme}://127.0.0.1:${port}`;
    },
    get port() {
      return port;
    },
    token: props.token,
    faults,
    csi,
    objects: (gvr, namespace) => {
      const { group, resource } = parseGvr(gvr);
      return store.list(groupResourceKey(group, resource), namespace);
    },
    object: (gvr, namespace, name) => {
      const { group, resource } = parseGvr(gvr);
      return store.get(groupResourceKey(group, resource), namespace, name);
    },
    resourceVersion: () => String(store.currentRevision()),
    requestCount: () => requests,
    nodeUsage: () => controller.nodeUsage(),
    settle: () => controller.settle(),
    kubeconfig: () =>
      toYaml({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [
          {
            name: props.name,
            cluster: {
              server: `${scheme}://127.0.0.1:${port}`,
              ...(props.tls
                ? { 'certificate-authority-data': Buffer.from(props.tls.cert).toString('base64') }
                : { 'insecure-skip-tls-verify': true }),
            },
          },
        ],
        users: [{ name: `${props.name}-admin`, user: { token: props.token ?? 'sim-token' } }],
        contexts: [
          {
            name: props.name,
            context: { cluster: props.name, user: `${props.name}-admin`, namespace: 'default' },
          },
        ],
        'current-context': props.name,
      }),
    close: async () => {
      controller.stop();
      csi?.stop();
      stopCrds();
      await shutdown();
    },
  };
}
