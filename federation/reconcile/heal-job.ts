import type { JobRequest } from '../controller/controller.js';
import type { PropagationJob } from '../queue/queues.js';
import type { ObjectKey } from '../resources/kube-object.js';
import { propagationJob } from './template-jobs.js';

/**
 * A propagation pass of one binding in one cluster whose object was found missing there (by a
 * drift scan, or a watch that saw it deleted): the pass re-creates it, or inspects it when only its
 * labels changed. At most one per binding, cluster and source each second.
 */
export function healJob(
  bindingKey: ObjectKey,
  cluster: string,
  source: 'drift' | 'watch',
  now: number,
): JobRequest<PropagationJob> {
  return propagationJob({ namespace: bindingKey.namespace, binding: bindingKey.name, cluster }, 0, [
    { kind: 'heal', source, second: Math.floor(now / 1000) },
  ]);
}
