/**
 * Label selectors, both forms: the query-string syntax of `?labelSelector=` (`a=b,c!=d,e in (x,y),
 * f notin (z),g,!h`) and the structured meta/v1 LabelSelector (matchLabels / matchExpressions)
 * used by Deployments and StatefulSets.
 */
import { badRequest } from './status-errors.js';
import { isObject } from './types.js';

/** One parsed requirement. */
export type LabelRequirement =
  | { key: string; op: 'eq' | 'neq'; value: string }
  | { key: string; op: 'in' | 'notin'; values: string[] }
  | { key: string; op: 'exists' | 'notexists' };

/** A parsed selector: every requirement must hold (an empty selector matches everything). */
export type LabelSelector = readonly LabelRequirement[];

// Splits on commas that are not inside parentheses.
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '(') depth += 1;
    if (ch === ')') depth -= 1;
    if (ch === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  parts.push(current);
  return parts.map((p) => p.trim()).filter((p) => p !== '');
}

const SET_RE = /^([^\s!=()]+)\s+(in|notin)\s*\(([^)]*)\)$/;
const EQ_RE = /^([^\s!=()]+)\s*(==|=|!=)\s*([^\s!=(),]*)$/;
const EXISTS_RE = /^(!?)\s*([^\s!=(),]+)$/;

/** Parses `?labelSelector=`; throws a 400 ApiError on bad syntax, like the apiserver. */
export function parseLabelSelector(text: string | undefined | null): LabelSelector {
  if (!text) return [];
  return splitTopLevel(text).map((part): LabelRequirement => {
    const set = SET_RE.exec(part);
    if (set) {
      const values = (set[3] ?? '')
        .split(',')
        .map((v) => v.trim())
        .filter((v) => v !== '');
      return { key: set[1] ?? '', op: set[2] === 'in' ? 'in' : 'notin', values };
    }
    const eq = EQ_RE.exec(part);
    if (eq) return { key: eq[1] ?? '', op: eq[2] === '!=' ? 'neq' : 'eq', value: eq[3] ?? '' };
    const exists = EXISTS_RE.exec(part);
    if (exists) return { key: exists[2] ?? '', op: exists[1] ? 'notexists' : 'exists' };
    throw badRequest(`unable to parse requirement: found '${part}', expected: in, notin, =, ==, !=, gt, lt`);
  });
}

/** True when the labels satisfy every requirement. */
export function matchesLabels(
  selector: LabelSelector,
  labels: Readonly<Record<string, string>> | undefined,
): boolean {
  const l = labels ?? {};
  for (const req of selector) {
    const has = Object.hasOwn(l, req.key);
    const value = l[req.key];
    switch (req.op) {
      case 'eq':
        if (!has || value !== req.value) return false;
        break;
      case 'neq':
        // != also matches objects without the label, as in the real server.
        if (has && value === req.value) return false;
        break;
      case 'in':
        if (!has || value === undefined || !req.values.includes(value)) return false;
        break;
      case 'notin':
        if (has && value !== undefined && req.values.includes(value)) return false;
        break;
      case 'exists':
        if (!has) return false;
        break;
      case 'notexists':
        if (has) return false;
        break;
    }
  }
  return true;
}

/**
 * Converts a structured LabelSelector (matchLabels/matchExpressions) to requirements.
 * Returns undefined for a malformed value.
 */
export function fromLabelSelectorObject(value: unknown): LabelSelector | undefined {
  if (!isObject(value)) return undefined;
  const reqs: LabelRequirement[] = [];
  const matchLabels = value.matchLabels;
  if (isObject(matchLabels)) {
    for (const [key, v] of Object.entries(matchLabels)) reqs.push({ key, op: 'eq', value: String(v) });
  }
  const expressions = value.matchExpressions;
  if (Array.isArray(expressions)) {
    for (const expr of expressions) {
      if (!isObject(expr) || typeof expr.key !== 'string') return undefined;
      const values = Array.isArray(expr.values) ? expr.values.map(String) : [];
      switch (expr.operator) {
        case 'In':
          reqs.push({ key: expr.key, op: 'in', values });
          break;
        case 'NotIn':
          reqs.push({ key: expr.key, op: 'notin', values });
          break;
        case 'Exists':
          reqs.push({ key: expr.key, op: 'exists' });
          break;
        case 'DoesNotExist':
          reqs.push({ key: expr.key, op: 'notexists' });
          break;
        default:
          return undefined;
      }
    }
  }
  return reqs;
}

/** Renders requirements in query-string syntax (used for status.selector of the scale subresource). */
export function formatLabelSelector(selector: LabelSelector): string {
  return selector
    .map((r) => {
      switch (r.op) {
        case 'eq':
          return `${r.key}=${r.value}`;
        case 'neq':
          return `${r.key}!=${r.value}`;
        case 'in':
          return `${r.key} in (${r.values.join(',')})`;
        case 'notin':
          return `${r.key} notin (${r.values.join(',')})`;
        case 'exists':
          return r.key;
        case 'notexists':
          return `!${r.key}`;
      }
      return '';
    })
    .join(',');
}
