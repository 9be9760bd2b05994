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

interface Call {
  readonly service: string;
  readonly route: ServiceRoute;
  readonly method: string;
  readonly path: string;
  readonly authority: string;
  readonly headers: OutgoingHttpHeaders;
  readonly body: Buffer | Readable | undefined;
  readonly bytesIn: number;
  readonly reporter: Reporter;
  readonly caller: CallerIdentity;
  readonly protocol: string;
  readonly targets: readonly Target[];
  readonly start: number;
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
    const targets: Target[] = [];
    for (const c of route.clusters) {
      const list = c === this.deps.cluster ? this.deps.localEndpoints(name.key) : this.deps.remoteGateways(c);
      for (const t of list) targets.push(t);
    }
    const caller: CallerIdentity = w ? { cluster: this.deps.cluster, ...w } : { cluster: this.deps.cluster };
    void this.run(req, res, {
      service: name.key,
      route,
      path: name.path,
      authority: authority!,
      reporter: 'source',
      caller,
      targets,
      start,
    });
  };

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
    const targets = this.deps.localEndpoints(service);
    void this.run(req, res, {
      service,
      route,
      path: req.url ?? '/',
      authority: authorityOf(req) ?? service,
      reporter: 'destination',
      caller,
      targets,
      start,
    });
  };

  private async run(
    req: GatewayRequest,
    res: GatewayResponse,
    base: Omit<Call, 'method' | 'headers' | 'body' | 'bytesIn' | 'protocol'>,
  ): Promise<void> {
    const method = req.method ?? 'GET';
    const grpc = (req.headers['content-type'] ?? '').startsWith('application/grpc');
    const protocol = req.httpVersionMajor === 2 ? (grpc ? 'grpc' : 'http2') : 'http';
    let body: Buffer | Readable | undefined;
    let bytesIn = 0;
    try {
      const length = req.headers['content-length'];
      if (
        length === undefined &&
        req.headers['transfer-encoding'] === undefined &&
        !grpc &&
        (req.httpVersionMajor === 1 || method === 'GET' || method === 'HEAD')
      ) {
        body = undefined;
      } else if (!grpc && length !== undefined && Number(length) <= MAX_BUFFERED_BODY) {
        body = await readBody(req);
        bytesIn = body.length;
      } else {
        body = req;
        req.on('data', (c: Buffer) => {
          bytesIn += c.length;
        });
      }
    } catch {
      reply(res, 400, 'BadRequest', 'the request body could not be read');
      return;
    }
    const call: Call = {
      ...base,
      method,
      headers: forwardableRequestHeaders(req.headers),
      body,
      bytesIn,
      protocol,
    };
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
        protocol,
        performance.now() - call.start,
        call.body === req ? bytesIn : call.bytesIn,
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
    const tried = new Set<string>();
    let admitted = false;
    let lastError: unknown;
    let retrying = false;
    try {
      for (let attempt = 0; ; attempt++) {
        const now = Date.now();
        const config = this.deps.config();
        const target =
          this.deps.balancer.pick(config, route, call.targets, tried, now) ??
          this.deps.balancer.pick(config, route, call.targets, undefined, now);
        if (target === undefined) break;
        if (target.kind === 'local' && !admitted) {
          let refused = this.admit(call, res);
          if (refused instanceof Promise) refused = await refused;
          if (refused !== undefined) return { status: refused, cluster: this.deps.cluster, bytesOut: 0 };
          admitted = true;
        }
        tried.add(target.id);
        this.deps.outliers.begin(target.id);
        this.deps.telemetry.upstreamTry(target.cluster);
        let r: UpstreamResponse;
        const remaining = deadline - performance.now();
        try {
          r = await this.deps.upstreams.send(target, {
            method: call.method,
            path: call.path,
            authority: call.authority,
            headers: target.kind === 'remote' ? this.remoteHeaders(call) : call.headers,
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

  private remoteHeaders(call: Call): OutgoingHttpHeaders {
    const h: OutgoingHttpHeaders = { ...call.headers, [SERVICE_HEADER]: call.service };
    const c = call.caller;
    if (c.namespace !== undefined && c.serviceAccount !== undefined) {
      h[WORKLOAD_HEADER] = workloadSpiffeId(this.deps.federation, c.namespace, c.serviceAccount);
    }
    return h;
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
