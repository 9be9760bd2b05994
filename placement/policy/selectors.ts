/**
 * Label selectors compiled once into predicates. Kubernetes semantics: matchLabels AND every
 * matchExpression; NotIn and DoesNotExist match objects that lack the key.
 */
import type { LabelSelector } from './schema.js';

/** A compiled label selector. */
export type LabelPredicate = (labels: Readonly<Record<string, string>>) => boolean;

/** An always-true predicate (the empty selector selects everything). */
export const matchAll: LabelPredicate = () => true;

/** Compiles a label selector to a predicate; an empty selector matches everything. */
export function compileLabelSelector(selector: LabelSelector | undefined): LabelPredicate {
  if (selector === undefined) return matchAll;
  const checks: LabelPredicate[] = [];
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    checks.push((l) => l[key] === value);
  }
  for (const req of selector.matchExpressions ?? []) {
    const key = req.key;
    const values = new Set(req.values ?? []);
    switch (req.operator) {
      case 'In':
        checks.push((l) => {
          const v = l[key];
          return v !== undefined && values.has(v);
        });
        break;
      case 'NotIn':
        checks.push((l) => {
          const v = l[key];
          return v === undefined || !values.has(v);
        });
        break;
      case 'Exists':
        checks.push((l) => l[key] !== undefined);
        break;
      case 'DoesNotExist':
        checks.push((l) => l[key] === undefined);
        break;
    }
  }
  if (checks.length === 0) return matchAll;
  if (checks.length === 1) return checks[0]!;
  return (labels) => {
    for (const check of checks) if (!check(labels)) return false;
    return true;
  };
}

/** Number of requirements in a selector; used to rank policy specificity. */
export function selectorRequirementCount(selector: LabelSelector | undefined): number {
  if (selector === undefined) return 0;
  return Object.keys(selector.matchLabels ?? {}).length + (selector.matchExpressions?.length ?? 0);
}

/** A short human form of a selector, for explanations. */
export function describeLabelSelector(selector: LabelSelector | undefined): string {
  if (selector === undefined) return '{}';
  const parts = Object.entries(selector.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const r of selector.matchExpressions ?? []) {
    const values = r.values !== undefined ? ` (${r.values.join(',')})` : '';
    parts.push(`${r.key} ${r.operator}${values}`);
  }
  return parts.join(', ');
}
