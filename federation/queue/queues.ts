import { type JobsOptions, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { QueueErrorReporter } from './error-reports.js';

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
  | { readonly kind: 'drift-all' }
  /** Fan out one health probe per member cluster. */
  | { readonly kind: 'probe-all' };

/** Retries with exponential backoff, and bounded retention of finished jobs. */
export const DEFAULT_JOB_OPTIONS: JobsOptions = {
  attempts: 12,
  backoff: { type: 'exponential', delay: 250 },
  removeOnComplete: { age: 600, count: 2_000 },
  removeOnFail: { age: 24 * 3600, count: 2_000 },
};

/** The control plane's queues, sharing one connection for producers. */
export interface Queues {
  readonly placement: Queue<PlacementJob>;
  readonly propagation: Queue<PropagationJob>;
  readonly maintenance: Queue<MaintenanceJob>;
  /** A queue by name; an Error for a queue no controller declared. */
  get(name: string): Queue;
  /** The names of every queue open. */
  names(): string[];
  close(): Promise<void>;
}

/** Options of the queues. */
export interface QueueProps {
  /** BullMQ key prefix, a hash tag so each queue's keys share a Redis Cluster slot. Default `{fgq}`. */
  readonly prefix?: string;
  /** Queues besides the three of the control plane, with their default job options. */
  readonly extra?: readonly { readonly name: string; readonly jobOptions?: JobsOptions }[];
  /** Reports the queues' errors (Redis unreachable, say) through the process's logger, rate-limited. */
  readonly errors?: QueueErrorReporter;
}

/** Opens producer handles on the control-plane queues (and any other declared). */
export function openQueues(connection: Redis, props: QueueProps = {}): Queues {
  const prefix = props.prefix ?? '{fgq}';
  const open = (name: string, jobOptions: JobsOptions = DEFAULT_JOB_OPTIONS) => {
    const q = new Queue(name, { connection, prefix, defaultJobOptions: jobOptions });
    props.errors?.watch(q, { queue: name, role: 'queue' });
    return q;
  };
  const byName = new Map<string, Queue>();
  for (const name of Object.values(QUEUE_NAMES)) byName.set(name, open(name));
  for (const q of props.extra ?? []) if (!byName.has(q.name)) byName.set(q.name, open(q.name, q.jobOptions));
  const get = (name: string): Queue => {
    const q = byName.get(name);
    if (!q) throw new Error(`no queue "${name}" is declared by any controller`);
    return q;
  };
  return {
    placement: get(QUEUE_NAMES.placement) as Queue<PlacementJob>,
    propagation: get(QUEUE_NAMES.propagation) as Queue<PropagationJob>,
    maintenance: get(QUEUE_NAMES.maintenance) as Queue<MaintenanceJob>,
    get,
    names: () => [...byName.keys()],
    async close() {
      await Promise.all([...byName.values()].map((q) => q.close()));
    },
  };
}
