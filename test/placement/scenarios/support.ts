/** Small assertions shared by the scenario tests. */
import type { ScheduleResult } from '../../../placement/index.js';

/** The result, asserted Scheduled (the message shows what came back instead). */
export function scheduled(r: ScheduleResult): Extract<ScheduleResult, { status: 'Scheduled' }> {
  if (r.status !== 'Scheduled') {
    throw new Error(`expected Scheduled, got ${JSON.stringify(r, null, 1).slice(0, 1200)}`);
  }
  return r;
}

/** The result, asserted Unschedulable. */
export function unschedulable(r: ScheduleResult): Extract<ScheduleResult, { status: 'Unschedulable' }> {
  if (r.status !== 'Unschedulable') {
    throw new Error(`expected Unschedulable, got ${JSON.stringify(r, null, 1).slice(0, 1200)}`);
  }
  return r;
}

/** Cluster name → replicas of a Scheduled result. */
export function split(r: ScheduleResult): Record<string, number | undefined> {
  return Object.fromEntries(scheduled(r).clusters.map((c) => [c.name, c.replicas]));
}

/** Names of the clusters of a Scheduled result. */
export function names(r: ScheduleResult): string[] {
  return scheduled(r).clusters.map((c) => c.name);
}
