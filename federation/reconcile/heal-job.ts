import type { PropagationJob, Queues } from '../queue/queues.js';
import { jobIds } from '../queue/queues.js';
import type { ObjectKey } from '../resources/kube-object.js';

/**
 * Enqueues a propagation pass of one binding in one cluster whose object was found missing there
 * (by a drift scan, or a watch that saw it deleted): the pass re-creates it, or inspects it when only
 * its labels changed. At most one per binding, cluster and source each second.
 */
export async function enqueueHeal(
  queues: Queues,
  bindingKey: ObjectKey,
  cluster: string,
  source: 'drift' | 'watch',
  now: number,
): Promise<void> {
  const data: PropagationJob = { namespace: bindingKey.namespace, binding: bindingKey.name, cluster };
  await queues.propagation.add('propagate', data, {
    jobId: jobIds.propagation(data, source, `-${source[0]}${Math.floor(now / 1000)}`),
  });
}
