/** Where a time-driven change (see model.ts Transition) stands at `now`. */
import type { Transition } from './model.js';

/** The phase of a transition and its progress in percent. */
export interface Phase {
  readonly phase: 'running' | 'done' | 'failed';
  readonly percent: number;
  readonly failReason?: string;
}

/** Running until `durationMs` has passed, then done, or failed when the transition carries a reason. */
export function phaseOf(t: Transition, now: number): Phase {
  const elapsed = now - t.startedAt;
  if (elapsed >= t.durationMs) {
    if (t.failReason !== undefined) return { phase: 'failed', percent: 0, failReason: t.failReason };
    return { phase: 'done', percent: 100 };
  }
  const percent = t.durationMs <= 0 ? 100 : Math.floor((elapsed / t.durationMs) * 100);
  return { phase: 'running', percent: Math.min(99, Math.max(0, percent)) };
}

/** ISO time with milliseconds, as EC2 prints it. */
export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}
