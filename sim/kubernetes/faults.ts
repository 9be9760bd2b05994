/**
 * Fault injection for one simulated cluster: the apiserver down (connections refused), added
 * latency on every request, and a random error rate answered as 429 TooManyRequests (with
 * Retry-After) and/or 500 InternalError. Exposed programmatically and over `/_sim/faults`.
 */
import { isObject } from './types.js';

/** Which failure an injected error is. */
export type InjectedErrorKind = 'throttle' | 'internal' | 'mixed';

/** The fault settings of a cluster, as GET /_sim/faults returns them. */
export interface FaultState {
  down: boolean;
  latencyMs: number;
  errorRate: number;
  errorKind: InjectedErrorKind;
}

/** Programmatic fault switches of one cluster. */
export interface FaultControls {
  /** Takes the apiserver down (true: connections are refused) or brings it back. */
  down(isDown: boolean): Promise<void>;
  /** Adds this much latency before every request is handled. */
  latencyMs(ms: number): void;
  /** Fails this fraction (0..1) of requests; 'throttle' = 429, 'internal' = 500, 'mixed' = either. */
  errorRate(p: number, kind?: InjectedErrorKind): void;
  /** Fails the next `n` requests with 429 (throttle) or 500 (internal), before any error rate applies. */
  failNext(n: number, kind: 'throttle' | 'internal'): void;
  /** Current settings. */
  state(): FaultState;
  /** Clears every fault. */
  reset(): Promise<void>;
}

/** The verdict for one request. */
export type FaultVerdict = { kind: 'pass' } | { kind: 'throttle' } | { kind: 'internal' };

/** Holds fault settings and decides per request. */
export class FaultInjector {
  private current: FaultState = { down: false, latencyMs: 0, errorRate: 0, errorKind: 'mixed' };
  private queued: { n: number; kind: 'throttle' | 'internal' } = { n: 0, kind: 'internal' };

  constructor(private readonly random: () => number = Math.random) {}

  /** Current settings (a copy). */
  state(): FaultState {
    return { ...this.current };
  }

  /** Sets latency (ms, clamped at 0). */
  setLatency(ms: number): void {
    this.current.latencyMs = Math.max(0, Number.isFinite(ms) ? ms : 0);
  }

  /** Sets the error rate (clamped to 0..1) and kind. */
  setErrorRate(p: number, kind: InjectedErrorKind = this.current.errorKind): void {
    this.current.errorRate = Math.min(1, Math.max(0, Number.isFinite(p) ? p : 0));
    this.current.errorKind = kind;
  }

  /** Records the down flag (the server does the listening and closing). */
  setDown(isDown: boolean): void {
    this.current.down = isDown;
  }

  /** The next `n` requests fail with this kind (replacing what was queued). */
  failNext(n: number, kind: 'throttle' | 'internal'): void {
    this.queued = { n: Math.max(0, Math.floor(n)), kind };
  }

  /** Decides whether this request fails. */
  verdict(): FaultVerdict {
    if (this.queued.n > 0) {
      this.queued.n--;
      return { kind: this.queued.kind };
    }
    if (this.current.errorRate <= 0 || this.random() >= this.current.errorRate) return { kind: 'pass' };
    if (this.current.errorKind === 'throttle') return { kind: 'throttle' };
    if (this.current.errorKind === 'internal') return { kind: 'internal' };
    return this.random() < 0.5 ? { kind: 'throttle' } : { kind: 'internal' };
  }
}

/** Validates a PUT /_sim/faults body into a partial update. */
export function parseFaultUpdate(body: unknown): Partial<FaultState> {
  if (!isObject(body)) throw new Error('faults body must be a JSON object');
  const out: Partial<FaultState> = {};
  if (body.down !== undefined) out.down = body.down === true;
  if (typeof body.latencyMs === 'number') out.latencyMs = body.latencyMs;
  if (typeof body.errorRate === 'number') out.errorRate = body.errorRate;
  if (body.errorKind === 'throttle' || body.errorKind === 'internal' || body.errorKind === 'mixed') {
    out.errorKind = body.errorKind;
  }
  return out;
}
