import { FedgateError } from '../errors/fedgate-error.js';

/** One requirement of a label selector. */
export interface LabelRequirement {
  readonly key: string;
  readonly op: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  readonly values: readonly string[];
}

/**
 * Parses a Kubernetes label selector string (`app=web,tier!=db,env in (a,b),!legacy,team`).
 * Throws `BadRequest` naming the bad term.
 */
export function parseLabelSelector(selector: string): LabelRequirement[] {
  const terms = splitTerms(selector.trim());
  return terms.map(parseTerm);
}

/** True when the labels satisfy every requirement. */
export function matchesLabels(
  reqs: readonly LabelRequirement[],
  labels: Readonly<Record<string, string>> | undefined,
): boolean {
  const l = labels ?? {};
  return reqs.every((r) => {
    const has = Object.hasOwn(l, r.key);
    switch (r.op) {
      case 'Exists':
        return has;
      case 'DoesNotExist':
        return !has;
      case 'In':
        return has && r.values.includes(l[r.key]!);
      default:
        return !has || !r.values.includes(l[r.key]!);
    }
  });
}

function splitTerms(s: string): string[] {
  if (s === '') return [];
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  out.push(cur.trim());
  return out;
}

const KEY = /^([a-z0-9A-Z][-a-zA-Z0-9_.]*\/)?[a-zA-Z0-9]([-a-zA-Z0-9_.]*[a-zA-Z0-9])?$/;
const VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

function parseTerm(term: string): LabelRequirement {
  const bad = (why: string) => new FedgateError('BadRequest', `label selector term "${term}": ${why}`);
  const set = /^(\S+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(term);
  if (set) {
    const values = set[3]!
      .split(',')
      .map((v) => v.trim())
      .filter((v) => v !== '');
    checkKey(set[1]!, bad);
    for (const v of values) checkValue(v, bad);
    return { key: set[1]!, op: set[2] === 'in' ? 'In' : 'NotIn', values };
  }
  const eq = /^([^=!\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(term);
  if (eq) {
    checkKey(eq[1]!, bad);
    checkValue(eq[3]!, bad);
    return { key: eq[1]!, op: eq[2] === '!=' ? 'NotIn' : 'In', values: [eq[3]!] };
  }
  if (term.startsWith('!')) {
    checkKey(term.slice(1), bad);
    return { key: term.slice(1), op: 'DoesNotExist', values: [] };
  }
  checkKey(term, bad);
  return { key: term, op: 'Exists', values: [] };
}

function checkKey(k: string, bad: (why: string) => Error): void {
  if (!KEY.test(k) || k.length > 317) throw bad(`"${k}" is not a valid label key`);
}

function checkValue(v: string, bad: (why: string) => Error): void {
  if (v.length > 63 || !VALUE.test(v)) throw bad(`"${v}" is not a valid label value`);
}
