/**
 * Monthly price of one replica of the template on a cluster. Uses the compute price precomputed in
 * the FleetSnapshot and the model's own formula (HOURS_PER_MONTH × (cores × vCPU-hour + GiB ×
 * GiB-hour)), so ranking thousands of clusters costs no model call per cluster.
 */
import type { ClusterEntry } from '../fleet/snapshot.js';
import { HOURS_PER_MONTH } from '../model-types.js';
import type { TemplateInfo } from '../types.js';

/** Size assumed for a replica whose pod template declares no requests (ranking only). */
export const REFERENCE_REQUESTS = { cpuMilli: 250, memoryBytes: 512 * 1024 * 1024 } as const;

const GIB = 1024 * 1024 * 1024;

/** USD per replica per month, or undefined when the cluster has no price. */
export function unitMonthlyCost(requests: TemplateInfo['podRequests'], c: ClusterEntry): number | undefined {
  const price = c.price;
  if (price === undefined) return undefined;
  const r = requests ?? REFERENCE_REQUESTS;
  return HOURS_PER_MONTH * ((r.cpuMilli / 1000) * price.vcpuHour + (r.memoryBytes / GIB) * price.gibHour);
}
