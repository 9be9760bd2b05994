import type { BindingClusterStatus } from '../resources/binding.js';

/**
 * A cluster's status with `unreadySince` kept right: set when fewer replicas than placed are ready
 * (kept from `current` while they stay short, so it dates the start), dropped once all are. The
 * placement controller moves replicas a cluster leaves unready too long while it has no room.
 */
export function withUnreadySince(
  status: BindingClusterStatus,
  current: BindingClusterStatus | undefined,
  now: number,
): BindingClusterStatus {
  const { unreadySince: _drop, ...rest } = status;
  const short = status.replicas !== undefined && (status.readyReplicas ?? 0) < status.replicas;
  if (!short) return rest;
  return { ...rest, unreadySince: current?.unreadySince ?? new Date(now).toISOString() };
}
