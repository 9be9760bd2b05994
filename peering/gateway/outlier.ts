import type { OutlierPolicy } from './config.js';

interface State {
  consecutiveFailures: number;
  ejections: number;
  ejectedUntil: number;
  /** Requests in flight: least-request balancing reads it. */
  active: number;
}

/**
 * Passive health of every upstream (a local endpoint or a remote gateway): consecutive failures
 * eject it for a time that doubles with each ejection (capped at 10× the base); once the time is
 * up it gets traffic again but one more failure ejects it at once (half-open), and a success
 * clears its record. This is also the circuit breaker of a single upstream.
 */
export class OutlierDetector {
  private readonly states = new Map<string, State>();
  /** Counts ejections, for the gateway's metrics. */
  onEject: ((id: string) => void) | undefined;

  private state(id: string): State {
    let s = this.states.get(id);
    if (s === undefined) {
      s = { consecutiveFailures: 0, ejections: 0, ejectedUntil: 0, active: 0 };
      this.states.set(id, s);
    }
    return s;
  }

  /** Whether the upstream is out of rotation now. */
  isEjected(id: string, now: number): boolean {
    const s = this.states.get(id);
    return s !== undefined && s.ejectedUntil > now;
  }

  /** Requests in flight to the upstream. */
  active(id: string): number {
    return this.states.get(id)?.active ?? 0;
  }

  /** Marks a request started. */
  begin(id: string): void {
    this.state(id).active++;
  }

  /** Marks a request ended, with its outcome (a failure is a transport error or a 5xx answer). */
  end(id: string, ok: boolean, policy: OutlierPolicy, now: number): void {
    const s = this.state(id);
    s.active--;
    if (ok) {
      s.consecutiveFailures = 0;
      if (s.ejectedUntil <= now) s.ejections = 0;
      return;
    }
    s.consecutiveFailures++;
    if (s.consecutiveFailures >= policy.consecutiveFailures && s.ejectedUntil <= now)
      this.eject(id, policy, now);
  }

  /** Ejects at once (e.g. a remote gateway that refused the connection). */
  eject(id: string, policy: OutlierPolicy, now: number): void {
    const s = this.state(id);
    s.ejections = Math.min(s.ejections + 1, 10);
    s.ejectedUntil = now + policy.baseEjectionMs * Math.min(2 ** (s.ejections - 1), 10);
    // Half-open after the time: the next failure ejects again.
    s.consecutiveFailures = Math.max(0, policy.consecutiveFailures - 1);
    this.onEject?.(id);
  }

  /** Forgets upstreams that are gone. */
  retain(ids: ReadonlySet<string>): void {
    for (const id of this.states.keys()) if (!ids.has(id)) this.states.delete(id);
  }
}
