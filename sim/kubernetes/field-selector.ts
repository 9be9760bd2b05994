/**
 * Field selectors (`?fieldSelector=metadata.name=x,status.phase!=Failed`). The real server only
 * accepts a per-kind whitelist of fields; the simulator accepts any dotted path into the object,
 * which is a superset, and treats an absent field as the empty string (so `spec.nodeName=` finds
 * unscheduled pods, as on a real cluster).
 */
import { badRequest } from './status-errors.js';
import type { KubeObject } from './types.js';
import { getPath } from './types.js';

/** One `field=value` or `field!=value` term. */
export interface FieldRequirement {
  path: string[];
  negate: boolean;
  value: string;
}

/** A parsed field selector; all terms must hold. */
export type FieldSelector = readonly FieldRequirement[];

/** Parses `?fieldSelector=`; throws a 400 ApiError on bad syntax. */
export function parseFieldSelector(text: string | undefined | null): FieldSelector {
  if (!text) return [];
  return text
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '')
    .map((part) => {
      const match = /^([^=!]+?)\s*(==|=|!=)\s*(.*)$/.exec(part);
      if (!match) throw badRequest(`invalid selector: '${text}'; can't understand '${part}'`);
      return { path: (match[1] ?? '').split('.'), negate: match[2] === '!=', value: match[3] ?? '' };
    });
}

/** True when the object satisfies every term. */
export function matchesFields(selector: FieldSelector, object: KubeObject): boolean {
  for (const req of selector) {
    const raw = getPath(object, req.path);
    const actual = raw === undefined || raw === null ? '' : String(raw);
    if ((actual === req.value) === req.negate) return false;
  }
  return true;
}
