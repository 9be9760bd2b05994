import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { Redis } from 'ioredis';
import { parseSpiffeId } from '../identity/spiffe.js';
import type { Target } from './balancer.js';
import { gatewayRegistryKey, liveGateways } from './peer-registry.js';
import type { GatewayRequest, GatewayResponse } from './proxy.js';
import { readBody, type Upstreams } from './upstreams.js';

/**
 * Probes through the east-west gateways, which is how the control plane verifies a peering end to
 * end. The control plane does not call gateways (they may sit behind NAT and only dial out, as they
 * do for their configuration); it asks through its Redis, which every gateway already uses for the
 * peer registry:
 *
 * 1. the worker writes a request `{from, to, expiresAt}` into the hash `<prefix>:peering:probes`;
 * 2. a gateway replica of `from` sees it (it reads the hash every half second), claims it
 *    (HSETNX in `<prefix>:peering:probe-results`, so one replica runs it), and sends `GET
 *    /.fedgate/probe` over mTLS to a registered gateway of `to`, which answers with its own
 *    cluster name after checking the caller's certificate names a cluster of the federation; the
 *    caller checks the server's certificate is `to`'s (as for every call);
 * 3. the result (round-trip times, the answering cluster, or why it failed) is written back, and
 *    the worker, polling for it, removes both entries.
 *
 * A probe is a warm-up call (it may open the connection) then three calls; the median of those
 * three is the round-trip time reported.
 */
export const PROBE_PATH = '/.fedgate/probe';

/** What a gateway answers at the probe path. */
export interface ProbeAnswer {
  readonly cluster: string;
  readonly caller: string;
}

/** A probe request as written by the control plane. */
export interface ProbeRequest {
  readonly from: string;
  readonly to: string;
  readonly expiresAt: number;
}

/** The outcome of one probe from a gateway of `from` to a gateway of `to`. */
export type ProbeResult =
  | {
      readonly ok: true;
      /** Median round-trip time of the probe calls (ms). */
      readonly rttMs: number;
      /** The first call's, which may include the TLS handshake (ms). */
      readonly firstMs: number;
      /** The answering gateway's URL. */
      readonly via: string;
    }
  | { readonly ok: false; readonly error: string };

const keys = (prefix: string) => ({
  requests: `${prefix}:peering:probes`,
  results: `${prefix}:peering:probe-results`,
  gateways: gatewayRegistryKey(prefix),
});

/**
 * Answers a probe on the peer listener (the handshake has already checked the caller's certificate
 * chains to the federation): 200 with this cluster's name when the certificate names a cluster of
 * the federation, else 403.
 */
export function answerProbe(
  req: GatewayRequest,
  res: GatewayResponse,
  cluster: string,
  federation: string,
): void {
  const san = (req.socket as TLSSocket).getPeerCertificate?.()?.subjectaltname ?? '';
  const id = parseSpiffeId(san.startsWith('URI:') ? san.slice(4) : '');
  const caller = id?.kind === 'cluster' && id.federation === federation ? id.cluster : undefined;
  const status = caller === undefined ? 403 : 200;
  const body = JSON.stringify(
    caller === undefined
      ? { code: 'Forbidden', message: 'the peer certificate names no cluster of this federation' }
      : ({ cluster, caller } satisfies ProbeAnswer),
  );
  (res as ServerResponse).writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
  });
  res.end(body);
}

/** True for a probe call on the peer listener. */
export function isProbe(req: GatewayRequest): boolean {
  return req.url === PROBE_PATH && req.method === 'GET';
}

/** What a gateway needs to run the probes asked of its cluster. */
export interface ProbeRunnerProps {
  readonly redis: Redis;
  readonly prefix: string;
  readonly cluster: string;
  readonly replicaId: string;
  readonly upstreams: Upstreams;
  /** Live gateways of a remote cluster (the peer registry). */
  gateways(cluster: string): readonly Target[];
  /** How often the requests are read (ms). Default 500. */
  readonly everyMs?: number;
  readonly onError?: (err: unknown) => void;
}

/** Runs, in a gateway, the probes the control plane asks of its cluster. */
export class ProbeRunner {
  private timer: NodeJS.Timeout | undefined;
  private readonly running = new Set<string>();
  private readonly k: ReturnType<typeof keys>;

  constructor(private readonly props: ProbeRunnerProps) {
    this.k = keys(props.prefix);
  }

  start(): void {
    this.timer = setInterval(() => void this.tick(), this.props.everyMs ?? 500);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private async tick(): Promise<void> {
    try {
      const all = await this.props.redis.hgetall(this.k.requests);
      const now = Date.now();
      for (const [id, text] of Object.entries(all)) {
        if (this.running.has(id)) continue;
        let r: ProbeRequest;
        try {
          r = JSON.parse(text) as ProbeRequest;
        } catch {
          continue;
        }
        if (r.from !== this.props.cluster || !(r.expiresAt > now)) continue;
        const claim = JSON.stringify({ claimedBy: this.props.replicaId });
        if ((await this.props.redis.hsetnx(this.k.results, id, claim)) !== 1) continue;
        this.running.add(id);
        void this.run(r)
          .then((result) => this.props.redis.hset(this.k.results, id, JSON.stringify(result)))
          .catch((err: unknown) => this.props.onError?.(err))
          .finally(() => this.running.delete(id));
      }
    } catch (err) {
      this.props.onError?.(err);
    }
  }

  private async run(r: ProbeRequest): Promise<ProbeResult> {
    const targets = this.props.gateways(r.to);
    if (targets.length === 0) return { ok: false, error: `no live gateway of ${r.to} is registered` };
    const errors: string[] = [];
    // Each replica of the far end in turn until one answers.
    for (const target of targets) {
      try {
        const times: number[] = [];
        for (let i = 0; i < 4; i++) times.push(await this.once(target, r));
        const warm = times.slice(1).sort((x, y) => x - y);
        return { ok: true, rttMs: round(warm[1]!), firstMs: round(times[0]!), via: target.url };
      } catch (err) {
        errors.push(`${target.url}: ${(err as Error).message}`);
      }
    }
    return { ok: false, error: errors.join('; ') };
  }

  private async once(target: Target, r: ProbeRequest): Promise<number> {
    const left = r.expiresAt - Date.now();
    if (left <= 0) throw new Error('the probe expired');
    const t0 = performance.now();
    const res = await this.props.upstreams.send(target, {
      method: 'GET',
      path: PROBE_PATH,
      authority: new URL(target.url).host,
      headers: {},
      body: undefined,
      timeoutMs: Math.min(left, 5_000),
      http2: true,
    });
    const body = (await readBody(res)).toString();
    const ms = performance.now() - t0;
    if (res.status !== 200) throw new Error(`answered ${res.status}: ${body}`);
    const answer = JSON.parse(body) as ProbeAnswer;
    if (answer.cluster !== r.to) throw new Error(`answered as ${answer.cluster}, not ${r.to}`);
    return ms;
  }
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}

/** The control plane's side: which clusters have gateways, and probes between them through Redis. */
export class GatewayProbes {
  private readonly k: ReturnType<typeof keys>;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    private readonly pollMs = 100,
  ) {
    this.k = keys(prefix);
  }

  /** How many live gateway replicas each of these clusters has registered. */
  async registered(clusters: readonly string[]): Promise<Record<string, number>> {
    const { live } = liveGateways(await this.redis.hgetall(this.k.gateways), Date.now());
    return Object.fromEntries(clusters.map((c) => [c, live.get(c)?.length ?? 0]));
  }

  /**
   * Asks a gateway of `from` to probe a gateway of `to`; resolves with its result, or an
   * unsuccessful one when no gateway took or finished it within `timeoutMs`.
   */
  async probe(from: string, to: string, timeoutMs: number, signal?: AbortSignal): Promise<ProbeResult> {
    await this.prune();
    const id = randomBytes(8).toString('hex');
    const deadline = Date.now() + timeoutMs;
    const request: ProbeRequest = { from, to, expiresAt: deadline };
    await this.redis.hset(this.k.requests, id, JSON.stringify(request));
    let claimed = false;
    try {
      for (;;) {
        const text = await this.redis.hget(this.k.results, id);
        if (text !== null) {
          const r = JSON.parse(text) as ProbeResult | { claimedBy: string };
          if ('ok' in r) return r;
          claimed = true;
        }
        if (Date.now() >= deadline || signal?.aborted)
          return {
            ok: false,
            error: claimed
              ? `a gateway of ${from} took the probe but gave no answer within ${timeoutMs} ms`
              : `no gateway of ${from} took the probe within ${timeoutMs} ms`,
          };
        await new Promise((r) => setTimeout(r, this.pollMs));
      }
    } finally {
      await this.redis.hdel(this.k.requests, id);
      await this.redis.hdel(this.k.results, id);
    }
  }

  /** Removes requests (and their results) left behind by a worker that died while waiting. */
  private async prune(): Promise<void> {
    const all = await this.redis.hgetall(this.k.requests);
    const old = Object.entries(all)
      .filter(([, text]) => {
        try {
          return !((JSON.parse(text) as ProbeRequest).expiresAt > Date.now() - 60_000);
        } catch {
          return true;
        }
      })
      .map(([id]) => id);
    if (old.length === 0) return;
    await this.redis.hdel(this.k.requests, ...old);
    await this.redis.hdel(this.k.results, ...old);
  }
}
