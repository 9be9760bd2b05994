import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { Http2ServerResponse } from 'node:http2';
import * as http2 from 'node:http2';
import { type Readable, Writable } from 'node:stream';
import { type Dispatcher, Pool } from 'undici';
import type { TlsMaterial } from '../identity/cert-rotator.js';
import type { Target } from './balancer.js';
import { forwardableResponseHeaders } from './http-headers.js';

/** One try of a call, as sent upstream. */
export interface UpstreamRequest {
  readonly method: string;
  readonly path: string;
  readonly authority: string;
  /** Headers without hop-by-hop and pseudo headers; an HTTP/1.1 try sets `host` on them (no copy per try). */
  readonly headers: OutgoingHttpHeaders;
  /** A buffered body (retriable), a stream (not retriable once sent), or none. */
  readonly body: Buffer | Readable | undefined;
  /** Time allowed until the answer's headers (ms). */
  readonly timeoutMs: number;
  /** The caller spoke HTTP/2 (gRPC, h2c): the hop to a peer gateway stays HTTP/2. */
  readonly http2?: boolean;
}

/** Where an answer is relayed: the caller's response (HTTP/1.1 or the HTTP/2 compatibility API). */
export type ResponseSink = ServerResponse | Http2ServerResponse;

/** The answer of an upstream: status and headers at once; the body (and trailers) relayed on demand. */
export interface UpstreamResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  /**
   * Sends the answer (status, headers, body, trailers) to `res` and gives the body bytes sent:
   * at once when the whole body is already here (a small answer: one write), else a promise
   * settled when the body ends or either side fails.
   */
  relay(res: ResponseSink): number | Promise<number>;
  /** Drops the body of an answer that is not relayed (e.g. retried). */
  discard(): void;
}

/**
 * node:http2 leaves Nagle's algorithm on for the sessions it connects: a HEADERS frame and a small
 * DATA frame written apart would wait for the peer's delayed ACK (up to 40 ms on Linux).
 */
function noNagle(_session: http2.ClientHttp2Session, socket: { setNoDelay(on: boolean): unknown }): void {
  socket.setNoDelay(true);
}

/** Why a try failed before an answer: `connect` (nothing was sent), `timeout`, or `reset`. */
export class UpstreamError extends Error {
  constructor(
    readonly code: 'connect' | 'timeout' | 'reset',
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'UpstreamError';
  }
}

/**
 * Connections to upstreams, reused across calls. To a remote gateway (mTLS; the peer must present
 * the SPIFFE ID of the cluster it is for) a call keeps the protocol the app spoke: HTTP/2 calls
 * (gRPC) share one multiplexed HTTP/2 session (ALPN h2), HTTP/1.1 calls go over a keep-alive pool
 * of HTTP/1.1 connections (ALPN http/1.1) — node's HTTP/1.1 path costs far less CPU per request
 * than its HTTP/2 one (bench/gateway.ts). Local endpoints: an undici pool per HTTP/1.1 endpoint,
 * an HTTP/2 cleartext session per gRPC endpoint. After a certificate rotation new calls open new
 * connections; the old ones finish their requests and close.
 */
export class Upstreams {
  private readonly sessions = new Map<string, http2.ClientHttp2Session>();
  private readonly pools = new Map<string, Pool>();
  private tls: TlsMaterial | undefined;

  constructor(
    private readonly expectedPeerId: (cluster: string) => string,
    private readonly connectionsPerEndpoint = 32,
  ) {}

  /** Uses new certificates for the sessions opened from now on. */
  setTls(material: TlsMaterial): void {
    const first = this.tls === undefined;
    this.tls = material;
    if (first) return;
    for (const [url, s] of this.sessions) {
      if (url.startsWith('https:')) {
        this.sessions.delete(url);
        s.close(); // graceful: open streams complete
      }
    }
    for (const [url, p] of this.pools) {
      if (url.startsWith('https:')) {
        this.pools.delete(url);
        void p.close().catch(() => {}); // graceful: requests in flight complete
      }
    }
  }

  /** Sends one try to `target`. */
  send(target: Target, req: UpstreamRequest): Promise<UpstreamResponse> {
    if (target.kind === 'remote' ? req.http2 === true : target.h2c === true) return this.sendH2(target, req);
    return this.sendH1(target, req);
  }

  /** Closes every connection. */
  async close(): Promise<void> {
    for (const s of this.sessions.values()) s.destroy();
    this.sessions.clear();
    await Promise.all([...this.pools.values()].map((p) => p.destroy()));
    this.pools.clear();
  }

  /**
   * An HTTP/1.1 try through the endpoint's pool, on undici's dispatch API: the answer is handled
   * as it is parsed (no response stream, no pipe) and a small body goes out in one write. The
   * per-try timeout runs from here, so it also covers waiting for a free pooled connection.
   */
  private sendH1(target: Target, req: UpstreamRequest): Promise<UpstreamResponse> {
    let pool = this.pools.get(target.url);
    if (pool === undefined) {
      pool = new Pool(target.url, {
        connections: this.connectionsPerEndpoint,
        keepAliveTimeout: 30_000,
        ...(target.kind === 'remote' ? { connect: this.peerTls(target.cluster, ['http/1.1']) } : {}),
      });
      this.pools.set(target.url, pool);
    }
    const headers = req.headers as Record<string, string>;
    headers.host = req.authority;
    return new Promise((resolve, reject) => {
      const exchange = new H1Exchange(target.url, req.timeoutMs, resolve, reject);
      pool.dispatch(
        {
          path: req.path,
          method: req.method as 'GET',
          headers,
          body: req.body ?? null,
          headersTimeout: 0,
          bodyTimeout: 0,
        },
        exchange,
      );
    });
  }

  private session(target: Target): http2.ClientHttp2Session {
    const existing = this.sessions.get(target.url);
    if (existing !== undefined && !existing.closed && !existing.destroyed) return existing;
    let s: http2.ClientHttp2Session;
    if (target.kind === 'remote') {
      s = http2.connect(target.url, this.peerTls(target.cluster, ['h2']), noNagle);
    } else {
      s = http2.connect(target.url, {}, noNagle);
    }
    s.on('error', () => {}); // surfaced through the streams; a session error must not crash the process
    const forget = () => {
      if (this.sessions.get(target.url) === s) this.sessions.delete(target.url);
    };
    s.on('close', forget);
    s.on('goaway', forget);
    s.unref();
    this.sessions.set(target.url, s);
    return s;
  }

  /** mTLS options for a connection to `cluster`'s gateway with this gateway's current certificate. */
  private peerTls(cluster: string, alpn: string[]) {
    const tls = this.tls;
    if (tls === undefined) throw new UpstreamError('connect', 'no gateway certificate yet');
    const expected = this.expectedPeerId(cluster);
    return {
      cert: tls.certChainPem,
      key: tls.keyPem,
      ca: tls.caPem,
      ALPNProtocols: alpn,
      // Gateways are named by SPIFFE ID, not DNS: the peer must be the cluster we meant to reach.
      checkServerIdentity: (_host: string, cert: { subjectaltname?: string }) =>
        cert.subjectaltname === `URI:${expected}`
          ? undefined
          : new Error(`peer presented ${cert.subjectaltname ?? 'no SAN'}, expected ${expected}`),
    };
  }

  private sendH2(target: Target, req: UpstreamRequest): Promise<UpstreamResponse> {
    return new Promise((resolve, reject) => {
      let session: http2.ClientHttp2Session;
      try {
        session = this.session(target);
      } catch (err) {
        reject(err);
        return;
      }
      const connected = !session.connecting;
      const stream = session.request(
        { ...req.headers, ':method': req.method, ':path': req.path, ':authority': req.authority },
        { endStream: req.body === undefined },
      );
      let answered = false;
      const timer = setTimeout(() => {
        stream.close(http2.constants.NGHTTP2_CANCEL);
        fail(new UpstreamError('timeout', `no answer from ${target.url} in ${req.timeoutMs} ms`));
      }, req.timeoutMs);
      const fail = (err: Error) => {
        if (answered) return;
        answered = true;
        clearTimeout(timer);
        reject(err);
      };
      stream.on('error', (err: NodeJS.ErrnoException) => {
        const refused =
          !connected &&
          (err.code === 'ECONNREFUSED' ||
            err.code === 'ERR_HTTP2_STREAM_CANCEL' ||
            /ECONNREFUSED|certificate|self.signed|alert/i.test(err.message));
        fail(
          new UpstreamError(refused ? 'connect' : 'reset', `${target.url}: ${err.message}`, { cause: err }),
        );
      });
      stream.on('close', () => {
        // Every stream closes; only one closed before its answer is an error (built only then).
        if (!answered) fail(new UpstreamError('reset', `${target.url}: stream closed before an answer`));
      });
      stream.once('response', (headers) => {
        if (answered) return;
        answered = true;
        clearTimeout(timer);
        const status = Number(headers[':status']);
        const out: Record<string, string | string[] | undefined> = {};
        for (const k in headers) if (k.charCodeAt(0) !== 58 /* ':' */) out[k] = headers[k];
        resolve({
          status,
          headers: out,
          relay: (res) => relayStream(status, out, stream, res),
          discard: () => stream.resume(),
        });
      });
      if (Buffer.isBuffer(req.body)) stream.end(req.body);
      else if (req.body !== undefined) {
        req.body.pipe(stream);
        req.body.on('error', () => stream.close(http2.constants.NGHTTP2_CANCEL));
      }
    });
  }
}

/** The whole body of an answer, for the gateway's own calls (probes), not for relayed traffic. */
export async function readBody(r: UpstreamResponse): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const sink = Object.assign(
    new Writable({
      write(chunk: Buffer, _enc, done) {
        chunks.push(chunk);
        done();
      },
    }),
    { writeHead: () => sink, addTrailers: () => undefined },
  );
  await r.relay(sink as unknown as ResponseSink);
  return Buffer.concat(chunks);
}

/** Bodies up to this size wait for the relay in memory; past it the upstream connection is paused. */
const MAX_HELD_BODY = 64 * 1024;

/**
 * One HTTP/1.1 try on undici's dispatch API, and then its answer. Body chunks that arrive before
 * the proxy relays the answer are held (a small answer usually arrives whole, in the same read as
 * its headers); once relaying, chunks are written through with backpressure.
 */
class H1Exchange implements Dispatcher.DispatchHandler, UpstreamResponse {
  status = 0;
  headers: Record<string, string | string[] | undefined> = {};
  private controller: Dispatcher.DispatchController | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** Headers arrived, or the try failed or timed out: resolve/reject are spent. */
  private answered = false;
  private held: Buffer[] | undefined;
  private heldBytes = 0;
  private bytes = 0;
  private ended = false;
  private failure: Error | undefined;
  private discarding = false;
  private sink: ResponseSink | undefined;
  private settle: { resolve: (n: number) => void; reject: (err: Error) => void } | undefined;

  constructor(
    private readonly url: string,
    timeoutMs: number,
    private readonly resolve: (r: UpstreamResponse) => void,
    private readonly reject: (err: Error) => void,
  ) {
    this.timer = setTimeout(() => this.timedOut(), timeoutMs);
  }

  private timedOut(): void {
    this.timer = undefined;
    if (this.answered) return;
    this.answered = true;
    this.discarding = true;
    const err = new UpstreamError('timeout', `no answer from ${this.url} in time`);
    this.reject(err);
    // In flight: abort it; still queued for a connection: aborted as soon as it is dispatched.
    this.controller?.abort(err);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.answered) controller.abort(new UpstreamError('timeout', 'timed out before it was sent'));
  }

  onResponseStart(
    controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: Record<string, string | string[] | undefined>,
  ): void {
    if (statusCode < 200 || this.answered) return; // 1xx: the answer is still to come
    this.answered = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.controller = controller;
    this.status = statusCode;
    this.headers = headers;
    this.resolve(this);
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.bytes += chunk.length;
    if (this.discarding) return;
    const sink = this.sink;
    if (sink !== undefined) {
      if (!(sink as ServerResponse).write(chunk)) {
        controller.pause();
        sink.once('drain', () => controller.resume());
      }
      return;
    }
    if (this.held === undefined) this.held = [chunk];
    else this.held.push(chunk);
    this.heldBytes += chunk.length;
    if (this.heldBytes >= MAX_HELD_BODY) controller.pause();
  }

  onResponseEnd(): void {
    this.ended = true;
    if (this.sink !== undefined) {
      this.sink.end();
      this.settle?.resolve(this.bytes);
    }
  }

  onResponseError(_controller: Dispatcher.DispatchController, err: Error): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    if (!this.answered) {
      this.answered = true;
      this.reject(classify(this.url, err));
      return;
    }
    this.failure = err;
    if (this.sink !== undefined) {
      this.sink.destroy(err);
      this.settle?.reject(err);
    }
  }

  relay(res: ResponseSink): number | Promise<number> {
    (res as ServerResponse).writeHead(this.status, forwardableResponseHeaders(this.headers));
    const held = this.held;
    this.held = undefined;
    if (this.ended) {
      // The whole answer is here: one write.
      if (held === undefined) res.end();
      else (res as ServerResponse).end(held.length === 1 ? held[0] : Buffer.concat(held));
      return this.bytes;
    }
    if (this.failure !== undefined) {
      res.destroy(this.failure);
      return Promise.reject(this.failure);
    }
    this.sink = res;
    if (held !== undefined) for (const c of held) (res as ServerResponse).write(c);
    this.controller?.resume();
    return new Promise((resolve, reject) => {
      this.settle = { resolve, reject };
      res.once('close', () => {
        if (this.ended || this.failure !== undefined) return;
        // The caller went away mid-body: stop the upstream too.
        const err = new Error('the caller went away');
        this.failure = err;
        this.controller?.abort(err);
        reject(err);
      });
    });
  }

  discard(): void {
    this.discarding = true;
    this.held = undefined;
    this.controller?.resume();
  }
}

/** The UpstreamError for a try that failed before its answer. */
function classify(url: string, err: Error): UpstreamError {
  if (err instanceof UpstreamError) return err;
  const code = (err as { code?: string }).code ?? '';
  if (code === 'UND_ERR_HEADERS_TIMEOUT')
    return new UpstreamError('timeout', `no answer from ${url} in time`, { cause: err });
  if (
    code === 'ECONNREFUSED' ||
    code === 'ENOTFOUND' ||
    code === 'EHOSTUNREACH' ||
    code === 'UND_ERR_CONNECT_TIMEOUT' ||
    /CERT|SELF_SIGNED|VERIFY|ERR_SSL/.test(code)
  ) {
    // Nothing was sent: the peer was not there, or failed the handshake (not our CA, wrong identity).
    return new UpstreamError('connect', `cannot connect to ${url}: ${code}`, { cause: err });
  }
  return new UpstreamError('reset', `${url}: ${err.message}`, { cause: err });
}

/**
 * Streams an HTTP/2 answer to the caller, trailers included; gives the body bytes sent.
 * pipe() and two listeners rather than stream.pipeline: pipeline allocates an AbortController
 * and aborts it (building a DOMException with a stack) on every call.
 */
function relayStream(
  status: number,
  headers: Record<string, string | string[] | undefined>,
  stream: http2.ClientHttp2Stream,
  res: ResponseSink,
): Promise<number> {
  (res as ServerResponse).writeHead(status, forwardableResponseHeaders(headers));
  let bytes = 0;
  stream.once('trailers', (t) =>
    (res as ServerResponse).addTrailers(forwardableResponseHeaders(t) as Record<string, string>),
  );
  stream.on('data', (c: Buffer) => {
    bytes += c.length;
  });
  const out = res as NodeJS.WritableStream & { destroy(err?: Error): void; writableFinished: boolean };
  return new Promise<number>((resolve, reject) => {
    const failed = (err: Error) => {
      stream.unpipe(out);
      stream.destroy();
      out.destroy(err);
      reject(err);
    };
    stream.once('error', failed);
    out.once('close', () => {
      if (!out.writableFinished) failed(new Error('the caller went away'));
    });
    out.once('finish', () => resolve(bytes));
    stream.pipe(out);
  });
}
