/**
 * Zonal, regional and global Operations that complete asynchronously, as GCE runs them:
 * PENDING at once, RUNNING a third of the way, DONE at the end, with `error.errors[]` when the
 * operation failed. `wait` answers when the operation is DONE or after the wait cap (GCE: ~2 min).
 * A request repeated with the same requestId gets the operation of the first one.
 */

import { GceApiError, notFound } from './errors.js';
import type { FaultState } from './faults.js';
import type { ResourcePath, Scope } from './links.js';
import { locationLink, relativePath, selfLink } from './links.js';
import type { GceResource, GceStore } from './store.js';

/** What an operation does. Hooks may throw GceApiError: the operation then ends with that error. */
export interface OperationSpec {
  readonly project: string;
  readonly scope: Scope;
  readonly operationType: string;
  readonly target: ResourcePath;
  readonly requestId?: string | null;
  /** Validates and reserves synchronously; a GceApiError it throws is the request's answer. */
  readonly prepare?: () => void;
  /** Runs when the operation starts RUNNING (status of the target moves on). */
  readonly onRunning?: () => void;
  /** Makes the change; runs when the operation completes. */
  readonly apply: () => void;
  /** Undoes what the start did when the operation fails (a disk that never became READY). */
  readonly onFail?: (reason: string) => void;
}

const OP_CODE: Record<string, string> = {
  notFound: 'RESOURCE_NOT_FOUND',
  alreadyExists: 'RESOURCE_ALREADY_EXISTS',
  resourceInUseByAnotherResource: 'RESOURCE_IN_USE_BY_ANOTHER_RESOURCE',
  invalid: 'INVALID_FIELD_VALUE',
  required: 'REQUIRED_FIELD_MISSING',
};

/** Runs and remembers operations. */
export class OperationRunner {
  readonly #byRequestId = new Map<string, GceResource>();
  readonly #waiters = new Map<string, (() => void)[]>();
  readonly #timers = new Set<NodeJS.Timeout>();
  #seq = 0;

  constructor(
    private readonly store: GceStore,
    private readonly faults: FaultState,
    private readonly user: string,
  ) {}

  /** Starts an operation, or returns the one a previous request with this requestId started. */
  start(spec: OperationSpec): GceResource {
    const key = spec.requestId ? `${spec.project}|${spec.requestId}` : undefined;
    const known = key ? this.#byRequestId.get(key) : undefined;
    if (known) return known;
    spec.prepare?.();
    const name = `operation-${Date.now()}-${(++this.#seq).toString(16).padStart(8, '0')}`;
    const path: ResourcePath = { project: spec.project, scope: spec.scope, collection: 'operations', name };
    const now = new Date().toISOString();
    const op: GceResource = {
      kind: 'compute#operation',
      id: this.store.newId(),
      name,
      operationType: spec.operationType,
      targetLink: selfLink(spec.target),
      targetId: (this.store.get(spec.target)?.id as string | undefined) ?? this.store.newId(),
      status: 'PENDING',
      user: this.user,
      progress: 0,
      insertTime: now,
      startTime: now,
      selfLink: selfLink(path),
      ...(spec.scope.kind === 'zones' ? { zone: locationLink(spec.project, spec.scope) } : {}),
      ...(spec.scope.kind === 'regions' ? { region: locationLink(spec.project, spec.scope) } : {}),
    };
    this.store.put(path, op);
    if (key) this.#byRequestId.set(key, op);
    const failure = this.faults.takeOperationFailure();
    const delay = this.faults.operationDelay();
    this.#after(delay / 3, () => {
      op.status = 'RUNNING';
      try {
        spec.onRunning?.();
      } catch {
        // the completion step reports what went wrong
      }
    });
    this.#after(delay, () => this.#finish(op, path, spec, failure));
    return op;
  }

  /** The operation at `path`, or 404. */
  get(path: ResourcePath): GceResource {
    const op = this.store.get(path);
    if (!op) throw notFound(relativePath(path));
    return op;
  }

  /** Resolves with the operation once DONE, or after `capMs` with it as it is. */
  async wait(path: ResourcePath, capMs: number): Promise<GceResource> {
    const op = this.get(path);
    if (op.status === 'DONE') return op;
    const key = relativePath(path);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, capMs);
      timer.unref();
      const list = this.#waiters.get(key) ?? [];
      list.push(() => {
        clearTimeout(timer);
        resolve();
      });
      this.#waiters.set(key, list);
    });
    return op;
  }

  /** Stops pending timers and releases waiters (server shutdown). */
  close(): void {
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    for (const list of this.#waiters.values()) for (const w of list) w();
    this.#waiters.clear();
  }

  #after(ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      fn();
    }, ms);
    this.#timers.add(timer);
  }

  #finish(op: GceResource, path: ResourcePath, spec: OperationSpec, failure: string | undefined): void {
    op.status = 'RUNNING';
    let error: { code: string; message: string; http: number } | undefined;
    if (failure !== undefined) {
      error = {
        code: /^[A-Z][A-Z0-9_]+$/.test(failure) ? failure : 'OPERATION_FAILED',
        message: failure,
        http: 400,
      };
    } else {
      try {
        spec.apply();
      } catch (err) {
        if (!(err instanceof GceApiError)) throw err;
        error = {
          code: OP_CODE[err.reason] ?? err.reason.toUpperCase(),
          message: err.message,
          http: err.httpStatus,
        };
      }
    }
    if (error) {
      spec.onFail?.(error.message);
      op.error = { errors: [{ code: error.code, message: error.message }] };
      op.httpErrorStatusCode = error.http;
      op.httpErrorMessage =
        error.http === 404 ? 'NOT FOUND' : error.http === 409 ? 'CONFLICT' : 'BAD REQUEST';
    }
    op.status = 'DONE';
    op.progress = 100;
    op.endTime = new Date().toISOString();
    const key = relativePath(path);
    for (const w of this.#waiters.get(key) ?? []) w();
    this.#waiters.delete(key);
  }
}
