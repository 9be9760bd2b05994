import type { AuthorizationRule, GatewayConfig } from './config.js';

/** Who is calling, as far as the gateway can tell. */
export interface CallerIdentity {
  readonly cluster: string;
  /** Known when the source gateway could tell the calling workload. */
  readonly namespace?: string;
  readonly serviceAccount?: string;
}

/** The verdict on one call. */
export type AuthzDecision =
  | { readonly allowed: true; readonly rule?: string }
  | { readonly allowed: false; readonly reason: string };

/**
 * Decides whether a call may reach `service` in `localCluster`. Calls within the cluster pass
 * (authorization is about crossing clusters); a call from another cluster needs an allow rule
 * whose source, path and method all match: deny by default.
 */
export function authorize(
  config: GatewayConfig,
  localCluster: string,
  caller: CallerIdentity,
  service: string,
  method: string,
  path: string,
): AuthzDecision {
  if (caller.cluster === localCluster) return ALLOWED_LOCAL;
  for (const rule of config.authorization) {
    if (rule.service === service && matches(rule, caller, method, path))
      return { allowed: true, rule: rule.name };
  }
  const who = caller.namespace
    ? `${caller.cluster}/${caller.namespace}/${caller.serviceAccount}`
    : caller.cluster;
  return {
    allowed: false,
    reason: `no AuthorizationPolicy allows ${who} to call ${method} ${path.split('?')[0]} on ${service}`,
  };
}

const ALLOWED_LOCAL: AuthzDecision = { allowed: true };

function matches(rule: AuthorizationRule, caller: CallerIdentity, method: string, path: string): boolean {
  if (rule.methods.length > 0 && !rule.methods.includes(method)) return false;
  if (rule.paths.length > 0 && !rule.paths.some((p) => path.startsWith(p))) return false;
  if (rule.from.length === 0) return true;
  return rule.from.some(
    (f) =>
      (f.cluster === undefined || f.cluster === caller.cluster) &&
      (f.namespace === undefined || f.namespace === caller.namespace) &&
      (f.serviceAccount === undefined || f.serviceAccount === caller.serviceAccount),
  );
}
