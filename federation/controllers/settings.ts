/** The tuning of the built-in controllers, from the worker's settings. */
export interface ControllerSettings {
  /** Jobs one worker runs at once, per queue. */
  readonly concurrency?: { placement?: number; propagation?: number; maintenance?: number };
  /** How often every member cluster is probed. Default 10 s. */
  readonly probeIntervalMs?: number;
  /** How often every template is re-placed and every cluster garbage-collected. Default 5 min. */
  readonly resyncIntervalMs?: number;
  /** How often every member cluster is scanned for drift. Default 60 s; 0 stops the periodic scan. */
  readonly driftIntervalMs?: number;
  /** Consecutive failed probes before a cluster is Unknown. Default 2. */
  readonly failureThreshold?: number;
  /** Follow-up status reads of a workload not ready yet after a pass. Default 40. */
  readonly statusChecks?: number;
  /** First delay of status reads backing up current watches. Default 15 s; 0: the usual pace. */
  readonly watchedCheckDelayMs?: number;
  /** How often the cloud inventory of clusters with a cloud side is discovered again. Default 10 min. */
  readonly inventoryIntervalMs?: number;
}

/** The maintenance queue's concurrency (its controllers share it). */
export function maintenanceConcurrency(s: ControllerSettings): number {
  return s.concurrency?.maintenance ?? 8;
}
