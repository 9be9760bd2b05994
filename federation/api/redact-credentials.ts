import { redactCredential } from '../resources/cloud-credential.js';
import { FEDGATE_API_VERSION } from '../resources/kinds.js';

/**
 * Every API answer passes through this: a CloudCredential anywhere in it (one object, a list's
 * items, an apply result, a watch event) has its spec's secret fields replaced by `(set)`. The
 * values never leave the control plane; only the worker reads them, from the store.
 */
export function redactCredentials<T>(payload: T): T {
  return redact(payload, 0) as T;
}

function redact(value: unknown, depth: number): unknown {
  if (depth > 4 || typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    let changed = false;
    const out = value.map((v) => {
      const r = redact(v, depth + 1);
      if (r !== v) changed = true;
      return r;
    });
    return changed ? out : value;
  }
  const o = value as Record<string, unknown>;
  if (
    typeof o.kind === 'string' &&
    typeof o.apiVersion === 'string' &&
    'metadata' in o &&
    !Array.isArray(o.items)
  ) {
    // A resource (not a List): redact it when it is a credential, never look inside others (they hold none).
    if (o.kind !== 'CloudCredential' || o.apiVersion !== FEDGATE_API_VERSION) return value;
    const spec = o.spec;
    return typeof spec === 'object' && spec !== null
      ? { ...o, spec: redactCredential(spec as Record<string, unknown>) }
      : value;
  }
  let changed = false;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) {
    const r = redact(v, depth + 1);
    if (r !== v) changed = true;
    out[k] = r;
  }
  return changed ? out : value;
}
