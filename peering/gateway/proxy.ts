import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import type { Readable } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { parseSpiffeId, workloadSpiffeId } from '../identity/spiffe.js';
import { authorize, type CallerIdentity } from './authorization.js';
import type { Balancer, Target } from './balancer.js';
import type { GatewayConfig, ServiceRoute } from './config.js';
import { forwardableRequestHeaders, SERVICE_HEADER, WORKLOAD_HEADER } from './http-headers.js';
import type { OutlierDetector } from './outlier.js';
import type { QuotaDecision, QuotaEnforcer } from './quota.js';
import { RetryBudget } from './retry-budget.js';
import { serviceKeyOf } from './service-name.js';
import type { GatewayTelemetry, Reporter } from './telemetry.js';
import { UpstreamError, type UpstreamResponse, type Upstreams } from './upstreams.js';

/** A request from either listener (HTTP/1.1 or the HTTP/2 compatibility API). */
export type GatewayRequest = IncomingMessage | Http2ServerRequest;
/** Its response. */
export type GatewayResponse = ServerResponse | Http2ServerResponse;

/** A workload the gateway can name from its local knowledge (a pod's address). */
export interface LocalWorkload {
  readonly namespace: string;
  readonly serviceAccount: string;
}

/** What the proxy works with; read on every call, so swaps take effect at once. */
export interface ProxyDeps {
  readonly cluster: string;
  readonly federation: string;
  config(): GatewayConfig;
  /** Local endpoints of a service (`namespace/name`). */
  localEndpoints(service: string): readonly Target[];
  /** Live gateway replicas of a remote cluster. */
  remoteGateways(cluster: string): readonly Target[];
  /** The workload at a client address, when known. */
  localWorkload(address: string | undefined): LocalWorkload | undefined;
  readonly upstreams: Upstreams;
  readonly balancer: Balancer;
  readonly outliers: OutlierDetector;
  readonly quota: QuotaEnforcer | undefined;
  readonly telemetry: GatewayTelemetry;
}

/** Buffered bodies up to this size can be retried; larger or unsized ones are streamed. */
const MAX_BUFFERED_BODY = 1024 * 1024;
const RETRY_STATUS = new Set([502, 503, 504]);

/**
 * One call through the gateway. A class rather than object literals built by spreading: every call
 * then has one hidden class, so the hot path's property loads stay monomorphic (a spread object got a
 * fresh map per call and turned every `call.x` into a megamorphic lookup).
 */
class Call {
  method = 'GET';
  protocol = 'http';
  body: Buffer | Readable | undefined = undefined;
  /** Body bytes received (a streamed body counts as it flows). */
  bytesIn = 0;
  private local: OutgoingHttpHeaders | undefined = undefined;
  private remote: OutgoingHttpHeaders | undefined = undefined;

  constructor(
    readonly service: string,
    readonly route: ServiceRoute,
    readonly path: string,
    readonly authority: string,
    readonly reporter: Reporter,
    readonly caller: CallerIdentity,
    readonly targets: readonly Target[],
    readonly start: number,
    private readonly incoming: GatewayRequest['headers'],
  ) {}

  /** The headers sent to a local endpoint, built once per call (tries reuse them). */
  localHeaders(): OutgoingHttpHeaders {
    if (this.local === undefined) this.local = forwardableRequestHeaders(this.incoming);
    return this.local;
  }

  /** The headers sent to a peer gateway: the local ones plus the service and the caller's workload. */
  remoteHeaders(federation: string): OutgoingHttpHeaders {
    if (this.remote === undefined) {
      const h = forwardableRequestHeaders(this.incoming);
      h[SERVICE_HEADER] = this.service;
      const c = this.caller;
      if (c.namespace !== undefined && c.serviceAccount !== undefined) {
        h[WORKLOAD_HEADER] = workloadSpiffeId(federation, c.namespace, c.serviceAccount);
      }
      this.remote = h;
    }
    return this.remote;
  }
}

/**
 * The gateway's request path. `handleLocal` serves apps of this cluster: it names the service
 * from the clusterset host, picks a local endpoint or a remote gateway, and forwards with the
 * caller's identity. `handlePeer` serves other gateways (over mTLS): it takes the caller's cluster
 * from the peer certificate, checks authorization and quota, and forwards to local endpoints
 * only, so a call crosses at most two gateways.
 */
export class GatewayProxy {
  private readonly budgets = new Map<string, RetryBudget>();
  private readonly peerIds = new WeakMap<object, string | undefined>();

  constructor(private readonly deps: ProxyDeps) {}

  /** Calls from apps of this cluster (plain HTTP/1.1 or HTTP/2 cleartext). */
  readonly handleLocal = (req: GatewayRequest, res: GatewayResponse): void => {
    const start = performance.now();
    const authority = authorityOf(req);
    const name = serviceKeyOf(req.url ?? '/', authority);
    if (name === undefined) {
      reply(
        res,
        400,
        'NotAClustersetName',
        `call a service as <svc>.<ns>.svc.clusterset.local (got "${authority ?? ''}")`,
      );
      return;
    }
    const config = this.deps.config();
    const route = config.services[name.key];
    if (route === undefined) {
      reply(res, 404, 'NoSuchService', `no exported service ${name.key}`);
      return;
    }
    const w = this.deps.localWorkload(req.socket?.remoteAddress);
    const caller: CallerIdentity =
      w === undefined
        ? { cluster: this.deps.cluster }
        : { cluster: this.deps.cluster, namespace: w.namespace, serviceAccount: w.serviceAccount };
    const call = new Call(
      name.key,
      route,
      name.path,
      authority!,
      'source',
      caller,
      this.targetsOf(name.key, route),
      start,
      req.headers,
    );
    void this.run(req, res, call);
  };

  /** Local endpoints and remote gateways of the route's clusters (one cluster's list as it is, no copy). */
  private targetsOf(service: string, route: ServiceRoute): readonly Target[] {
    const clusters = route.clusters;
    const of = (c: string) =>
      c === this.deps.cluster ? this.deps.localEndpoints(service) : this.deps.remoteGateways(c);
    if (clusters.length === 1) return of(clusters[0]!);
    const targets: Target[] = [];
    for (const c of clusters) for (const t of of(c)) targets.push(t);
    return targets;
  }

  /** Calls from peer gateways (mTLS; the peer's certificate names its cluster). */
  readonly handlePeer = (req: GatewayRequest, res: GatewayResponse): void => {
    const start = performance.now();
    const peer = this.peerCluster(req);
    if (peer === undefined) {
      reply(res, 403, 'Forbidden', 'the peer certificate names no cluster of this federation');
      return;
    }
    const service = header(req, SERVICE_HEADER);
    const config = this.deps.config();
    const route = service === undefined ? undefined : config.services[service];
    if (route === undefined || service === undefined) {
      reply(res, 404, 'NoSuchService', `no exported service ${service ?? '(no service header)'}`);
      return;
    }
    const wid = header(req, WORKLOAD_HEADER);
    const w = wid === undefined ? undefined : parseSpiffeId(wid);
    const caller: CallerIdentity =
      w?.kind === 'workload' && w.federation === this.deps.federation
        ? { cluster: peer, namespace: w.namespace, serviceAccount: w.serviceAccount }
        : { cluster: peer };
    const call = new Call(
      service,
      route,
      req.url ?? '/',
      authorityOf(req) ?? service,
      'destination',
      caller,
      this.deps.localEndpoints(service),
      start,
      req.headers,
    );
    void this.run(req, res, call);
  };

  private async run(req: GatewayRequest, res: GatewayResponse, call: Call): Promise<void> {
    const method = req.method ?? 'GET';
    const grpc = (req.headers['content-type'] ?? '').startsWith('application/grpc');
    call.method = method;
    call.protocol = req.httpVersionMajor === 2 ? (grpc ? 'grpc' : 'http2') : 'http';
    try {
      const length = req.headers['content-length'];
      if (
        length === undefined &&
        req.headers['transfer-encoding'] === undefined &&
        !grpc &&
        (req.httpVersionMajor === 1 || method === 'GET' || method === 'HEAD')
      ) {
        call.body = undefined;
      } else if (!grpc && length !== undefined && Number(length) <= MAX_BUFFERED_BODY) {
        const body = await readBody(req);
        call.body = body;
        call.bytesIn = body.length;
      } else {
        call.body = req;
        req.on('data', (c: Buffer) => {
          call.bytesIn += c.length;
        });
      }
    } catch {
      reply(res, 400, 'BadRequest', 'the request body could not be read');
      return;
    }
    let status = 0;
    let destination = this.deps.cluster;
    let bytesOut = 0;
    try {
      const out = await this.forward(call, res);
      status = out.status;
      destination = out.cluster;
      bytesOut = out.bytesOut;
    } catch {
      status = res.headersSent ? res.statusCode : 502;
      if (!res.headersSent) reply(res, 502, 'UpstreamFailed', 'the upstream failed');
      else res.destroy();
    } finally {
      this.deps.telemetry.record(
        call.reporter,
        call.caller.cluster,
        destination,
        call.service,
        status,
        call.protocol,
        performance.now() - call.start,
        call.bytesIn,
        bytesOut,
      );
    }
  }

  private async forward(
    call: Call,
    res: GatewayResponse,
  ): Promise<{ status: number; cluster: string; bytesOut: number }> {
    const { route } = call;
    const budget = this.budget(call.service);
    if (budget.pending >= route.maxPendingRequests) {
      reply(
        res,
        503,
        'Overflow',
        `too many calls in flight to ${call.service} (circuit breaker: ${route.maxPendingRequests})`,
      );
      return { status: 503, cluster: this.deps.cluster, bytesOut: 0 };
    }
    budget.requestStarted();
    const deadline = call.start + route.timeoutMs;
    const retriable = call.body === undefined || Buffer.isBuffer(call.body);
    /** Targets already tried; made for the first retry only (most calls take one try). */
    let tried: Set<string> | undefined;
    let admitted = false;
    let lastError: unknown;
    let retrying = false;
    try {
      for (let attempt = 0; ; attempt++) {
        const now = Date.now();
        const config = this.deps.config();
        const target =
          this.deps.balancer.pick(config, route, call.targets, tried, now) ??
          (tried === undefined
            ? undefined
            : this.deps.balancer.pick(config, route, call.targets, undefined, now));
        if (target === undefined) break;
        if (target.kind === 'local' && !admitted) {
          let refused = this.admit(call, res);
          if (refused instanceof Promise) refused = await refused;
          if (refused !== undefined) return { status: refused, cluster: this.deps.cluster, bytesOut: 0 };
          admitted = true;
        }
        this.deps.outliers.begin(target.id);
        this.deps.telemetry.upstreamTry(target.cluster);
        let r: UpstreamResponse;
        const remaining = deadline - performance.now();
        try {
          r = await this.deps.upstreams.send(target, {
            method: call.method,
            path: call.path,
            authority: call.authority,
            headers:
              target.kind === 'remote' ? call.remoteHeaders(this.deps.federation) : call.localHeaders(),
            body: call.body,
            timeoutMs: Math.max(1, Math.min(route.retries.perTryTimeoutMs, remaining)),
            http2: call.protocol !== 'http',
          });
        } catch (err) {
          lastError = err;
          this.deps.outliers.end(target.id, false, route.outlier, Date.now());
          this.deps.telemetry.upstreamFailures
            .labels(target.cluster, err instanceof UpstreamError ? err.code : 'reset')
            .inc();
          // A gateway that refuses connections is down: out of rotation now, not after N failures.
          if (err instanceof UpstreamError && err.code === 'connect' && target.kind === 'remote') {
            this.deps.outliers.eject(target.id, route.outlier, Date.now());
          }
          if (retrying) budget.retryDone();
          retrying =
            retriable &&
            attempt < route.retries.attempts &&
            performance.now() < deadline &&
            budget.tryRetry(route.retries);
          if (!retrying) break;
          tried = triedWith(tried, target.id);
          this.deps.telemetry.retries.labels(call.service).inc();
          continue;
        }
        const ok = r.status < 500;
        this.deps.outliers.end(target.id, ok, route.outlier, Date.now());
        if (!ok) this.deps.telemetry.upstreamFailures.labels(target.cluster, '5xx').inc();
        if (retrying) budget.retryDone();
        retrying = false;
        if (
          !ok &&
          RETRY_STATUS.has(r.status) &&
          retriable &&
          attempt < route.retries.attempts &&
          budget.tryRetry(route.retries)
        ) {
          retrying = true;
          tried = triedWith(tried, target.id);
          r.discard();
          this.deps.telemetry.retries.labels(call.service).inc();
          continue;
        }
        const sent = r.relay(res);
        return {
          status: r.status,
          cluster: target.cluster,
          bytesOut: sent instanceof Promise ? await sent : sent,
        };
      }
    } finally {
      if (retrying) budget.retryDone();
      budget.requestDone();
    }
    const timeout = lastError instanceof UpstreamError && lastError.code === 'timeout';
    const status = call.targets.length === 0 ? 503 : timeout ? 504 : 503;
    const why =
      call.targets.length === 0
        ? `no healthy endpoint of ${call.service}`
        : `${call.service}: ${lastError instanceof Error ? lastError.message : 'no upstream answered'}`;
    reply(res, status, timeout ? 'UpstreamTimeout' : 'NoHealthyUpstream', why);
    return { status, cluster: this.deps.cluster, bytesOut: 0 };
  }

  /**
   * Authorization then quota, where the call enters the destination cluster; answers 403/429
   * itself. Synchronous unless the quota must reserve calls in Redis (no promise per call).
   */
  private admit(call: Call, res: GatewayResponse): number | undefined | Promise<number | undefined> {
    const config = this.deps.config();
    const az = authorize(config, this.deps.cluster, call.caller, call.service, call.method, call.path);
    if (!az.allowed) {
      this.deps.telemetry.refused.labels('authorization', call.service).inc();
      reply(res, 403, 'Forbidden', az.reason);
      return 403;
    }
    if (this.deps.quota === undefined || config.quotas.length === 0) return undefined;
    const c = call.caller;
    const who =
      c.namespace === undefined
        ? `cluster/${c.cluster}`
        : `${c.cluster}/ns/${c.namespace}/sa/${c.serviceAccount}`;
    const q = this.deps.quota.check(config, call.service, who);
    return q instanceof Promise
      ? q.then((d) => this.quotaVerdict(call, res, who, d))
      : this.quotaVerdict(call, res, who, q);
  }

  private quotaVerdict(call: Call, res: GatewayResponse, who: string, q: QuotaDecision): number | undefined {
    if (q.allowed) return undefined;
    this.deps.telemetry.refused.labels('quota', call.service).inc();
    reply(res, 429, 'QuotaExceeded', `quota ${q.rule} (${q.scope}) exceeded for ${who} on ${call.service}`, {
      'retry-after': String(q.retryAfterSeconds),
    });
    return 429;
  }

  private budget(service: string): RetryBudget {
    let b = this.budgets.get(service);
    if (b === undefined) {
      b = new RetryBudget();
      this.budgets.set(service, b);
    }
    return b;
  }

  /** The cluster named by the peer certificate's SPIFFE ID, cached per connection. */
  private peerCluster(req: GatewayRequest): string | undefined {
    const conn: object = (req as Http2ServerRequest).stream?.session ?? req.socket;
    if (this.peerIds.has(conn)) return this.peerIds.get(conn);
    const san = (req.socket as TLSSocket).getPeerCertificate?.()?.subjectaltname ?? '';
    const id = parseSpiffeId(san.startsWith('URI:') ? san.slice(4) : '');
    const cluster = id?.kind === 'cluster' && id.federation === this.deps.federation ? id.cluster : undefined;
    this.peerIds.set(conn, cluster);
    return cluster;
  }
}

/** The tried set with `id` added (made on the first retry). */
function triedWith(tried: Set<string> | undefined, id: string): Set<string> {
  const set = tried ?? new Set<string>();
  set.add(id);
  return set;
}

function reply(
  res: GatewayResponse,
  status: number,
  code: string,
  message: string,
  extra: Record<string, string> = {},
): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = JSON.stringify({ code, message });
  (res as ServerResponse).writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    ...extra,
  });
  res.end(body);
}

function authorityOf(req: GatewayRequest): string | undefined {
  return (req.headers[':authority'] as string | undefined) ?? req.headers.host;
}

function header(req: GatewayRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Events rather than an async iterator: one less promise and iterator object per request. */
function readBody(req: GatewayRequest): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.once('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    req.once('error', reject);
    req.once('aborted', () => reject(new Error('the caller went away')));
  });
}
