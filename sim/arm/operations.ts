/**
 * Long-running operations as ARM runs them (arm-rpc async-api-reference): each has an id, a status
 * that moves InProgress → Succeeded | Failed | Canceled, and two monitors: the Azure-AsyncOperation
 * resource (always 200 with `{status, error}`) and the Location URL (202 while running, then the
 * operation's final answer: 200 with the resource, 204 after a delete, or the error).
 */
import { randomUUID } from 'node:crypto';

/** The status words ARM uses for an operation. */
export type OperationStatus = 'InProgress' | 'Succeeded' | 'Failed' | 'Canceled';

/** One long-running operation. */
export interface ArmOperation {
  readonly id: string;
  readonly subscription: string;
  /** Provider namespace the monitor URLs live under (`Microsoft.Network`). */
  readonly namespace: string;
  readonly location: string;
  readonly kind: 'put' | 'delete';
  /** The resource it acts on (for the Location URL's final answer). */
  readonly resourceId: string;
  readonly apiVersion: string;
  status: OperationStatus;
  readonly startTime: string;
  endTime?: string;
  percentComplete?: number;
  error?: { code: string; message: string };
}

/** The operations of one simulator, and their monitor URLs. */
export class OperationRegistry {
  readonly #ops = new Map<string, ArmOperation>();
  readonly #timers = new Set<NodeJS.Timeout>();

  /**
   * Starts an operation that finishes after `delayMs`: `finish` runs then and returns the error to
   * fail with (or undefined for success).
   */
  start(
    init: Omit<ArmOperation, 'id' | 'status' | 'startTime'>,
    delayMs: number,
    finish: () => { code: string; message: string } | undefined,
  ): ArmOperation {
    const op: ArmOperation = {
      ...init,
      id: randomUUID(),
      status: 'InProgress',
      startTime: new Date().toISOString(),
    };
    this.#ops.set(op.id, op);
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      if (op.status !== 'InProgress') return;
      const error = finish();
      op.status = error ? 'Failed' : 'Succeeded';
      if (error) op.error = error;
      op.percentComplete = 100;
      op.endTime = new Date().toISOString();
    }, delayMs);
    this.#timers.add(timer);
    return op;
  }

  get(id: string): ArmOperation | undefined {
    return this.#ops.get(id.toLowerCase()) ?? this.#ops.get(id);
  }

  /** The Azure-AsyncOperation URL of an operation. */
  asyncOperationUrl(base: string, op: ArmOperation): string {
    return `${base}/subscriptions/${op.subscription}/providers/${op.namespace}/locations/${op.location}/operations/${op.id}?api-version=${op.apiVersion}`;
  }

  /** The Location URL of an operation. */
  locationUrl(base: string, op: ArmOperation): string {
    return `${base}/subscriptions/${op.subscription}/providers/${op.namespace}/locations/${op.location}/operationResults/${op.id}?api-version=${op.apiVersion}`;
  }

  /** The Azure-AsyncOperation resource's body. */
  statusBody(op: ArmOperation): Record<string, unknown> {
    return {
      id: `/subscriptions/${op.subscription}/providers/${op.namespace}/locations/${op.location}/operations/${op.id}`,
      name: op.id,
      status: op.status,
      startTime: op.startTime,
      ...(op.endTime ? { endTime: op.endTime } : {}),
      ...(op.percentComplete === undefined ? {} : { percentComplete: op.percentComplete }),
      ...(op.error ? { error: op.error } : {}),
    };
  }

  /** Stops pending timers (the simulator is closing). */
  close(): void {
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
  }
}
