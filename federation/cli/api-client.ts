import { request } from 'undici';
import type { WhatIfResult } from '../../placement/index.js';
import type { ApplyEffect } from '../api/routes/apply-effect.js';
import type { CreatedToken, TokenInfo } from '../auth/token-store.js';
import { ERROR_CODES, type ErrorCode, FedgateError, type FieldIssue } from '../errors/fedgate-error.js';
import type { KubeObject } from '../resources/kube-object.js';
import type { CliConfig } from './config.js';
import { CliError, EXIT } from './errors.js';

/** A list answer of the API. */
export interface ObjectList {
  apiVersion: 'v1';
  kind: 'List';
  metadata: { resourceVersion: string };
  items: KubeObject[];
}

/** One line of an apply answer. */
export interface ApplyResultItem {
  type: string;
  namespace: string;
  name: string;
  action: string;
  resourceVersion?: string;
  generation?: number;
}

export type { ApplyEffect };

/** The body of `POST /api/v1/simulate`. */
export interface SimulateRequest {
  policies: unknown[];
  removePolicies?: string[];
  fleet?: unknown[];
  templates?: unknown[];
  /** Include each template's explanation of the proposed decision. */
  explain?: boolean;
}

/** The answer of `POST /api/v1/simulate` (see placement/simulate/what-if.ts). */
export type SimulateResult = WhatIfResult & { resourceVersion: string };

/** Options of the client. */
export interface ApiClientProps {
  readonly apiUrl: string;
  readonly token: string;
  /** Per-request timeout (ms). Default 30,000. */
  readonly timeoutMs?: number;
}

/**
 * The CLI's HTTP client of the fedgate API. API errors come back as FedgateError (code, message,
 * fields as the server sent them); a server it cannot reach is a CliError with exit code 3.
 */
export class ApiClient {
  private readonly base: URL;
  private readonly timeoutMs: number;

  constructor(private readonly props: ApiClientProps) {
    try {
      this.base = new URL(props.apiUrl);
      if (!/^https?:$/.test(this.base.protocol)) throw new Error('not http(s)');
    } catch {
      throw new CliError(EXIT.unreachable, `the API URL "${props.apiUrl}" is not an http(s) URL`);
    }
    this.timeoutMs = props.timeoutMs ?? 30_000;
  }

  /** A client from the resolved CLI configuration; exit 3 when server or token is missing. */
  static fromConfig(config: CliConfig): ApiClient {
    if (config.apiUrl === undefined) {
      throw new CliError(
        EXIT.unreachable,
        `not configured: no API server (run "fedgate up", pass --server, or set FEDGATE_SERVER; looked in ${config.configFile})`,
      );
    }
    if (config.token === undefined) {
      throw new CliError(
        EXIT.unreachable,
        `not configured: no API token (run "fedgate up", pass --token, or set FEDGATE_TOKEN; looked in ${config.configFile})`,
      );
    }
    return new ApiClient({ apiUrl: config.apiUrl, token: config.token });
  }

  /** The server's base URL. */
  get url(): string {
    return this.base.toString();
  }

  /** Sends one request and returns the parsed JSON answer. */
  async call<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T> {
    const url = new URL(
      path.replace(/^\//, ''),
      this.base.href.endsWith('/') ? this.base : `${this.base.href}/`,
    );
    let res: Awaited<ReturnType<typeof request>>;
    try {
      res = await request(url, {
        method,
        headers: {
          authorization: `Bearer ${this.props.token}`,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
      });
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      const why = e.code && !e.message.includes(e.code) ? `${e.code} ${e.message}` : e.message;
      throw new CliError(
        EXIT.unreachable,
        `cannot reach the fedgate API at ${this.base.origin}: ${why}`,
        [],
        {
          cause: err,
        },
      );
    }
    const text = await res.body.text();
    let parsed: unknown;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    if (res.statusCode >= 200 && res.statusCode < 300) return parsed as T;
    throw apiError(res.statusCode, parsed, text);
  }

  /** Lists objects of a type: in a namespace, or all (cluster-scoped or across namespaces). */
  list(type: string, opts: { namespace?: string; labelSelector?: string } = {}): Promise<ObjectList> {
    const q = opts.labelSelector ? `?labelSelector=${encodeURIComponent(opts.labelSelector)}` : '';
    return this.call('GET', `${collectionPath(type, opts.namespace)}${q}`);
  }

  /** Reads one object. */
  get(type: string, namespace: string | undefined, name: string): Promise<KubeObject> {
    return this.call('GET', objectPath(type, namespace, name));
  }

  /** Deletes one object. */
  delete(type: string, namespace: string | undefined, name: string): Promise<KubeObject> {
    return this.call('DELETE', objectPath(type, namespace, name));
  }

  /** Applies many objects (all validated before any is written). */
  apply(items: unknown[], dryRun: boolean): Promise<{ items: ApplyResultItem[]; effect?: ApplyEffect }> {
    return this.call('POST', `/api/v1/apply?dryRun=${dryRun}`, { items });
  }

  /** What-if: the placement changes the proposal would cause, computed by the server; writes nothing. */
  simulate(request: SimulateRequest): Promise<SimulateResult> {
    return this.call('POST', '/api/v1/simulate', request);
  }

  /** Named tokens (admin only). */
  listTokens(): Promise<{ items: TokenInfo[] }> {
    return this.call('GET', '/api/v1/tokens');
  }

  /** Makes a named token; the answer holds its value, shown this once (admin only). */
  createToken(request: {
    name: string;
    role: string;
    namespaces?: string[];
    cluster?: string;
  }): Promise<CreatedToken> {
    return this.call('POST', '/api/v1/tokens', request);
  }

  /** Revokes a named token (admin only). */
  revokeToken(name: string): Promise<TokenInfo> {
    return this.call('DELETE', `/api/v1/tokens/${enc(name)}`);
  }

  /** The Binding of a template, with the scheduler's explanation and per-cluster status. */
  explain(type: string, namespace: string | undefined, name: string): Promise<KubeObject> {
    const ns = namespace === undefined || namespace === '' ? '_' : namespace;
    return this.call('GET', `/api/v1/explain/${enc(type)}/${enc(ns)}/${enc(name)}`);
  }
}

/** The collection URL path of a type, in a namespace or not. */
export function collectionPath(type: string, namespace: string | undefined): string {
  return namespace === undefined || namespace === ''
    ? `/api/v1/objects/${enc(type)}`
    : `/api/v1/namespaces/${enc(namespace)}/objects/${enc(type)}`;
}

/** The URL path of one object. */
export function objectPath(type: string, namespace: string | undefined, name: string): string {
  return `${collectionPath(type, namespace)}/${enc(name)}`;
}

function enc(s: string): string {
  return encodeURIComponent(s);
}

function apiError(status: number, body: unknown, text: string): FedgateError {
  const b = (typeof body === 'object' && body !== null ? body : {}) as {
    code?: unknown;
    message?: unknown;
    fields?: unknown;
  };
  const code: ErrorCode =
    typeof b.code === 'string' && b.code in ERROR_CODES ? (b.code as ErrorCode) : codeForStatus(status);
  const message =
    typeof b.message === 'string'
      ? b.message
      : `the API answered ${status}: ${text.slice(0, 200) || 'no body'}`;
  const fields = Array.isArray(b.fields)
    ? (b.fields as unknown[])
        .filter((f): f is FieldIssue => typeof f === 'object' && f !== null && 'path' in f && 'message' in f)
        .map((f) => ({ path: String(f.path), message: String(f.message) }))
    : [];
  return new FedgateError(code, message, fields);
}

function codeForStatus(status: number): ErrorCode {
  const hit = (Object.entries(ERROR_CODES) as [ErrorCode, { status: number }][]).find(
    ([c, v]) => v.status === status && c !== 'AlreadyExists',
  );
  return hit?.[0] ?? (status >= 500 ? 'Internal' : 'BadRequest');
}
