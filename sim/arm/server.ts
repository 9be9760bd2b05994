/**
 * The ARM simulator's HTTPS server on 127.0.0.1: bearer-token authentication (401
 * InvalidAuthenticationToken with a WWW-Authenticate challenge), `api-version` required, fault
 * injection, ARM's response headers, and the authenticated control route `/_sim/faults`.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { DEFAULT_REGIONS, type SimRegion } from './catalogue.js';
import { selfSignedCertificate } from './cert.js';
import { ArmError, invalidToken } from './errors.js';
import { type ArmFaultSwitches, ArmFaults } from './faults.js';
import type { ArmReply } from './handlers.js';
import type { SimContext } from './kinds.js';
import { type ArmResource, ArmStore } from './model.js';
import { OperationRegistry } from './operations.js';
import { type RouterEnv, route } from './router.js';
import { ArmSeeder } from './seed.js';

/** Options of one ARM simulator. */
export interface ArmSimOptions {
  /** Bearer tokens the simulator accepts (any subscription it knows). */
  readonly tokens: readonly string[];
  /** Subscriptions that exist from the start. */
  readonly subscriptions?: readonly string[];
  readonly port?: number;
  /** Base duration of long-running operations, ms (default 200; gateways take 4×). */
  readonly operationDelayMs?: number;
  /** Retry-After seconds on long-running answers (default 1; 0 leaves the header out). */
  readonly retryAfterSeconds?: number;
  /** Retry-After seconds on 429 answers (default 1). */
  readonly throttleRetryAfterSeconds?: number;
  /** Duration of a CopyStart snapshot copy, ms (default 1,000). */
  readonly copyDurationMs?: number;
  /** Items per list page before a nextLink (default 100). */
  readonly pageSize?: number;
  readonly regions?: readonly SimRegion[];
}

/** A running ARM simulator. */
export interface ArmSim {
  /** `https://127.0.0.1:PORT` */
  readonly url: string;
  readonly port: number;
  /** The self-signed certificate its clients must trust (PEM). */
  readonly caPem: string;
  readonly faults: ArmFaultSwitches;
  readonly seed: ArmSeeder;
  /** A stored resource by id (as the simulator holds it), for assertions. */
  resource(id: string): ArmResource | undefined;
  /** The stored resources of one type (`Microsoft.Network/connections`), over all scopes. */
  resources(type: string): ArmResource[];
  /** Requests served so far, by ARM operation name. */
  served(): Readonly<Record<string, number>>;
  /** Tells the simulator that time has moved on by `ms` (CopyStart progress, tunnel counters). */
  advance(ms: number): void;
  close(): Promise<void>;
}

const MAX_BODY = 1024 * 1024;

/** Starts an ARM simulator on 127.0.0.1 with a fresh certificate. */
export async function startArmSim(options: ArmSimOptions): Promise<ArmSim> {
  const { certPem, keyPem } = await selfSignedCertificate();
  const store = new ArmStore();
  for (const s of options.subscriptions ?? []) store.subscriptions.add(s.toLowerCase());
  const faults = new ArmFaults({
    operationDelayMs: options.operationDelayMs ?? 200,
    throttleRetryAfterSeconds: options.throttleRetryAfterSeconds ?? 1,
  });
  const operations = new OperationRegistry();
  let skew = 0;
  let nextIp = 0;
  const ctx: SimContext = {
    store,
    now: () => Date.now() + skew,
    operationDelayMs: () => faults.operationDelay(),
    copyDurationMs: () => options.copyDurationMs ?? 1_000,
    allocatePublicIp: () => {
      nextIp++;
      return `20.${50 + Math.floor(nextIp / 65536)}.${Math.floor(nextIp / 256) % 256}.${nextIp % 256}`;
    },
  };
  let baseUrl = '';
  const env: RouterEnv = {
    ctx,
    faults,
    operations,
    baseUrl: () => baseUrl,
    retryAfterSeconds: options.retryAfterSeconds ?? 1,
    pageSize: options.pageSize ?? 100,
    currentOps: new Map(),
    regions: options.regions ?? DEFAULT_REGIONS,
  };
  const tokens = new Set(options.tokens);
  const served: Record<string, number> = {};

  const server = createServer({ cert: certPem, key: keyPem }, (req, res) => {
    readBody(req)
      .then((raw) => reply(res, handle(req, raw)))
      .catch((err: unknown) => reply(res, errorReply(err)));
  });

  function handle(req: IncomingMessage, raw: string): ArmReply {
    const url = new URL(req.url ?? '/', baseUrl);
    const method = req.method ?? 'GET';
    const auth = req.headers.authorization;
    if (!auth) throw invalidTokenMissing();
    const token = /^Bearer\s+(.+)$/i.exec(auth)?.[1];
    if (!token || !tokens.has(token)) throw invalidToken('The access token is invalid or has expired.');
    let body: unknown;
    if (raw.length > 0) {
      try {
        body = JSON.parse(raw);
      } catch {
        throw new ArmError(
          400,
          'InvalidRequestContent',
          'The request content was invalid and could not be deserialized.',
        );
      }
    }
    if (url.pathname === '/_sim/faults') {
      if (method === 'POST') faults.applyBody(body);
      else if (method !== 'GET') throw new ArmError(405, 'MethodNotAllowed', 'GET or POST');
      return { status: 200, body: faults.settings() };
    }
    if (!url.searchParams.get('api-version'))
      throw new ArmError(
        400,
        'MissingApiVersionParameter',
        'The api-version query parameter (?api-version=) is required for all requests.',
      );
    const routed = route(env, method, url, body);
    served[routed.operation] = (served[routed.operation] ?? 0) + 1;
    const fault = faults.requestFault();
    if (fault) throw fault;
    return routed.run();
  }

  function reply(res: ServerResponse, r: ArmReply): void {
    const requestId = randomUUID();
    res.statusCode = r.status;
    res.setHeader('x-ms-request-id', requestId);
    res.setHeader('x-ms-correlation-request-id', requestId);
    res.setHeader('date', new Date().toUTCString());
    res.setHeader('cache-control', 'no-cache');
    for (const [k, v] of Object.entries(r.headers ?? {})) res.setHeader(k, v);
    if (r.body === undefined) {
      res.end();
      return;
    }
    res.setHeader('content-type', 'application/json; charset=utf-8');
    res.end(JSON.stringify(r.body));
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  baseUrl = `https://127.0.0.1:${port}`;
  return {
    url: baseUrl,
    port,
    caPem: certPem,
    faults,
    seed: new ArmSeeder(ctx),
    resource: (id) => store.get(id),
    resources: (type) => store.list(type),
    served: () => ({ ...served }),
    advance: (ms) => {
      skew += ms;
    },
    close: async () => {
      operations.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function invalidTokenMissing(): ArmError {
  const e = invalidToken("Authentication failed. The 'Authorization' header is missing.");
  return new ArmError(401, 'AuthenticationFailed', e.message, e.headers);
}

function errorReply(err: unknown): ArmReply {
  const e =
    err instanceof ArmError
      ? err
      : new ArmError(
          500,
          'InternalServerError',
          `simulator error: ${err instanceof Error ? err.message : String(err)}`,
        );
  return { status: e.status, body: e.body(), headers: e.headers };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new ArmError(413, 'RequestEntityTooLarge', 'The request body is too large.'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
