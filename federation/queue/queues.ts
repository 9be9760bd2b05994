import { type JobsOptions, Queue } from 'bullmq';
import type { Redis } from 'ioredis';

/** The work queues of the control plane. */
export const QUEUE_NAMES = {
  /** One job per template change: schedule it and write its Binding. */
  placement: 'placement',
  /** One job per binding × cluster: apply, prune, read status back. */
  propagation: 'propagation',
  /** Per-cluster health probes, drift scans and the periodic resync. */
  maintenance: 'maintenance',
} as const;

/** Payload of a placement job: the template to (re)schedule. */
export interface PlacementJob {
  readonly type: string;
  readonly namespace: string;
  readonly name: string;
  /** What caused this pass besides a template change (a policy, a cluster, a resync): makes job ids distinct. */
  readonly trigger?: string;
}

/** The `cluster` of a status check that reads every target cluster of its binding not ready yet. */
export const ALL_TARGET_CLUSTERS = '*';

/** Payload of a propagation job: one binding in one member cluster. */
export interface PropagationJob {
  readonly namespace: string;
  readonly binding: string;
  /** A member cluster, or ALL_TARGET_CLUSTERS in a status check. */
  readonly cluster: string;
  /** Follow-up reads of a workload that is not ready yet. */
  readonly statusCheck?: number;
  /**
   * The binding's template when the job was enqueued (a hint: read together with the binding, so
   * the pass needs one round trip to the store; a binding naming another template wins).
   */
  readonly template?: { readonly type: string; readonly name: string };
  /** The object to prune when the binding is already gone (set by the deletion pass). */
  readonly resource?: {
    readonly apiVersion: string;
    readonly kind: string;
    readonly namespace?: string;
    readonly name: string;
  };
}

/** Payload of a maintenance job. */
export type MaintenanceJob =
  | { readonly kind: 'probe'; readonly cluster: string }
  | { readonly kind: 'resync' }
  | { readonly kind: 'gc'; readonly cluster: string }
  /** Compare what fedgate placed in one cluster with what is there now. */
  | { readonly kind: 'drift'; readonly cluster: string }
  /** Fan out one drift scan per member cluster. */
  | { readonly kind: 'drift-all' };

/** Retries with exponential backoff, and bounded retention of finished jobs. */
export const DEFAULT_JOB_OPTIONS: JobsOptions = {
  attempts: 12,
  backoff: { type: 'exponential', delay: 250 },
  removeOnComplete: { age: 600, count: 2_000 },
  removeOnFail: { age: 24 * 3600, count: 2_000 },
};

/** The three queues, sharing one connection for producers. */
export interface Queues {
  readonly placement: Queue<PlacementJob>;
  readonly propagation: Queue<PropagationJob>;
  readonly maintenance: Queue<MaintenanceJob>;
  close(): Promise<void>;
}

/** Options of the queues. */
export interface QueueProps {
  /** BullMQ key prefix, a hash tag so each queue's keys share a Redis Cluster slot. Default `{fgq}`. */
  readonly prefix?: string;
}

/** Opens producer handles on the control-plane queues. */
export function openQueues(connection: Redis, props: QueueProps = {}): Queues {
  const prefix = props.prefix ?? '{fgq}';
  const opts = { connection, prefix, defaultJobOptions: DEFAULT_JOB_OPTIONS };
  const placement = new Queue<PlacementJob>(QUEUE_NAMES.placement, opts);
  const propagation = new Queue<PropagationJob>(QUEUE_NAMES.propagation, opts);
  const maintenance = new Queue<MaintenanceJob>(QUEUE_NAMES.maintenance, opts);
  return {
    placement,
    propagation,
    maintenance,
    async close() {
      await Promise.all([placement.close(), propagation.close(), maintenance.close()]);
    },
  };
}

/**
 * Job ids deduplicate: a job id that is waiting (or kept finished) is not added again. They are
 * built from keys that hold no ':' (type keys, DNS names), as BullMQ requires.
 */
export const jobIds = {
  /** A template change: one job per template uid and generation, plus what else triggered it. */
  placement(job: PlacementJob, uid: string, generation: number | string, trigger = ''): string {
    return `${job.type}/${job.namespace || '_'}/${job.name}@${uid.slice(0, 8)}g${generation}${trigger}`;
  },
  /** One binding in one cluster at one binding generation, plus what else triggered it. */
  propagation(job: PropagationJob, generation: number | string, trigger = ''): string {
    return `${job.namespace || '_'}/${job.binding}@${job.cluster}g${generation}${trigger}`;
  },
};
