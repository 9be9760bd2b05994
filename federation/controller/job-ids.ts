/**
 * Job ids and the triggers they carry, built and parsed in one place.
 *
 * A job id deduplicates: BullMQ does not add a job whose id it still holds (waiting, delayed, or
 * kept finished). So an id names what the job reconciles (a template, a binding in a cluster, a
 * cluster) at one revision, plus what triggered it besides a change of that object (a policy
 * change, a readiness transition, a resync…), so that a new cause gets a new job.
 *
 * Layout (BullMQ forbids ':' in custom ids; names are DNS names and type keys, which hold neither
 * ':' nor '+'):
 * - placement:   `<type>/<namespace or _>/<name>@<uid[0..8]>g<generation><triggers>`
 * - propagation: `<namespace or _>/<binding>@<cluster>g<generation><triggers>`
 * - maintenance: `<job>/<cluster or *><triggers>`
 * Each trigger is one `+`-prefixed token; a trigger string that does not start with '+' (written by
 * an earlier release, or by hand) is kept whole as an opaque token.
 */

/** What caused a job besides a change of the object it names. */
export type Trigger =
  /** The template itself was deleted (at this store resourceVersion). */
  | { readonly kind: 'deleted'; readonly resourceVersion: string }
  /** A PlacementPolicy changed. */
  | { readonly kind: 'policy'; readonly resourceVersion: string }
  /** A MemberCluster object changed. */
  | { readonly kind: 'cluster'; readonly resourceVersion: string }
  /** A cluster's Ready condition changed (probe time, epoch ms). */
  | { readonly kind: 'readiness'; readonly cluster: string; readonly at: number }
  /** A cluster answered with a new identity (kube-system uid prefix). */
  | { readonly kind: 'identity'; readonly cluster: string; readonly id: string }
  /** The periodic resync (the resync job's timestamp). */
  | { readonly kind: 'resync'; readonly at: number }
  /** A decision asked to be taken again at this time (a toleration running out). */
  | { readonly kind: 'requeue'; readonly at: number }
  /** A workload referencing this dependency was placed (its binding's resourceVersion). */
  | { readonly kind: 'dependency'; readonly resourceVersion: string }
  /** The binding was deleted (its last resourceVersion): prune what it placed. */
  | { readonly kind: 'binding-deleted'; readonly resourceVersion: string }
  /** The n-th follow-up status read, in a time slot of its delay. */
  | { readonly kind: 'status-check'; readonly check: number; readonly slot: number }
  /** An object found missing in a member cluster, by a drift scan or a watch (epoch second). */
  | { readonly kind: 'heal'; readonly source: 'drift' | 'watch'; readonly second: number }
  /** A fan-out of a scheduled job (the scheduler job's id). */
  | { readonly kind: 'scheduled'; readonly jobId: string }
  /** A token this module does not know (an earlier release's, a test's): kept as is. */
  | { readonly kind: 'other'; readonly token: string };

/** The encoded form of a trigger list (a job payload's `trigger`). */
export function encodeTriggers(triggers: readonly Trigger[]): string {
  return triggers.map(encodeTrigger).join('');
}

/** Encodes one trigger as its `+` token. */
export function encodeTrigger(t: Trigger): string {
  switch (t.kind) {
    case 'deleted':
      return `+d${t.resourceVersion}`;
    case 'policy':
      return `+p${t.resourceVersion}`;
    case 'cluster':
      return `+c${t.resourceVersion}`;
    case 'readiness':
      return `+n${t.cluster}.${t.at}`;
    case 'identity':
      return `+i${t.cluster}.${t.id}`;
    case 'resync':
      return `+r${t.at}`;
    case 'requeue':
      return `+t${t.at}`;
    case 'dependency':
      return `+w${t.resourceVersion}`;
    case 'binding-deleted':
      return `+x${t.resourceVersion}`;
    case 'status-check':
      return `+s${t.check}.${t.slot}`;
    case 'heal':
      return `+h${t.source === 'drift' ? 'd' : 'w'}${t.second}`;
    case 'scheduled':
      return `+j${safe(t.jobId)}`;
    case 'other':
      return safe(t.token);
  }
}

/** Parses an encoded trigger list; unknown tokens come back as `other`. */
export function parseTriggers(encoded: string | undefined): Trigger[] {
  if (!encoded) return [];
  if (!encoded.startsWith('+')) return [{ kind: 'other', token: encoded }];
  return encoded
    .slice(1)
    .split('+')
    .map((token) => parseToken(token) ?? { kind: 'other', token: `+${token}` });
}

function parseToken(token: string): Trigger | undefined {
  const code = token[0];
  const rest = token.slice(1);
  const num = (s: string | undefined) => (s !== undefined && /^\d+$/.test(s) ? Number(s) : undefined);
  const dotted = () => {
    const i = rest.lastIndexOf('.');
    return i < 0 ? undefined : ([rest.slice(0, i), rest.slice(i + 1)] as const);
  };
  switch (code) {
    case 'd':
      return { kind: 'deleted', resourceVersion: rest };
    case 'p':
      return { kind: 'policy', resourceVersion: rest };
    case 'c':
      return { kind: 'cluster', resourceVersion: rest };
    case 'w':
      return { kind: 'dependency', resourceVersion: rest };
    case 'x':
      return { kind: 'binding-deleted', resourceVersion: rest };
    case 'r':
      return num(rest) === undefined ? undefined : { kind: 'resync', at: Number(rest) };
    case 't':
      return num(rest) === undefined ? undefined : { kind: 'requeue', at: Number(rest) };
    case 'j':
      return { kind: 'scheduled', jobId: rest };
    case 'n': {
      const p = dotted();
      const at = num(p?.[1]);
      return p && at !== undefined ? { kind: 'readiness', cluster: p[0], at } : undefined;
    }
    case 'i': {
      const p = dotted();
      return p ? { kind: 'identity', cluster: p[0], id: p[1] } : undefined;
    }
    case 's': {
      const p = dotted();
      const check = num(p?.[0]);
      const slot = num(p?.[1]);
      return check !== undefined && slot !== undefined ? { kind: 'status-check', check, slot } : undefined;
    }
    case 'h': {
      const second = num(rest.slice(1));
      const source = rest[0] === 'd' ? 'drift' : rest[0] === 'w' ? 'watch' : undefined;
      return source && second !== undefined ? { kind: 'heal', source, second } : undefined;
    }
    default:
      return undefined;
  }
}

/** What a placement job id names. */
export interface PlacementSubject {
  readonly type: string;
  readonly namespace: string;
  readonly name: string;
}

/** What a propagation job id names (`cluster` may be the all-targets marker `*`). */
export interface PropagationSubject {
  readonly namespace: string;
  readonly binding: string;
  readonly cluster: string;
}

/** The revision a job id is for: the object's uid (a recreated object is a new one) and generation. */
export interface Revision {
  readonly uid?: string;
  readonly generation: number;
}

/** A job id, parsed. */
export type ParsedJobId =
  | ({ readonly queue: 'placement' } & PlacementSubject & ParsedRevision)
  | ({ readonly queue: 'propagation' } & PropagationSubject & ParsedRevision)
  | {
      readonly queue: 'maintenance';
      readonly job: string;
      readonly cluster: string | undefined;
      readonly triggers: Trigger[];
    };

interface ParsedRevision {
  readonly uid: string;
  readonly generation: number;
  readonly triggers: Trigger[];
}

/** Builds the job ids of the control plane's queues. */
export const jobIds = {
  /** A placement pass of one template at one revision. */
  placement(s: PlacementSubject, rev: Revision, triggers: readonly Trigger[] | string = []): string {
    const uid = (rev.uid ?? '').slice(0, 8);
    return checked(`${s.type}/${s.namespace || '_'}/${s.name}@${uid}g${rev.generation}${enc(triggers)}`);
  },
  /** A propagation pass of one binding in one cluster at one binding generation. */
  propagation(s: PropagationSubject, generation: number, triggers: readonly Trigger[] | string = []): string {
    return checked(`${s.namespace || '_'}/${s.binding}@${s.cluster}g${generation}${enc(triggers)}`);
  },
  /** A maintenance job (`probe`, `gc`, `drift`…) of one cluster, or of none. */
  maintenance(job: string, cluster: string | undefined, triggers: readonly Trigger[] | string = []): string {
    return checked(`${job}/${cluster ?? '*'}${enc(triggers)}`);
  },
};

/** Parses a job id built by `jobIds`; undefined for any other id. */
export function parseJobId(id: string): ParsedJobId | undefined {
  const plus = id.indexOf('+');
  const head = plus < 0 ? id : id.slice(0, plus);
  const triggers = plus < 0 ? [] : parseTriggers(id.slice(plus));
  const at = head.lastIndexOf('@');
  if (at < 0) {
    const m = /^([a-z][a-z-]*)\/([^/]+)$/.exec(head);
    if (!m) return undefined;
    return { queue: 'maintenance', job: m[1]!, cluster: m[2] === '*' ? undefined : m[2], triggers };
  }
  const rev = /^(.*)g(\d+)$/.exec(head.slice(at + 1));
  if (!rev) return undefined;
  const parts = head.slice(0, at).split('/');
  const ns = (s: string) => (s === '_' ? '' : s);
  const generation = Number(rev[2]);
  if (parts.length === 3) {
    const [type = '', namespace = '', name = ''] = parts;
    return { queue: 'placement', type, namespace: ns(namespace), name, uid: rev[1]!, generation, triggers };
  }
  if (parts.length === 2) {
    const [namespace = '', binding = ''] = parts;
    return {
      queue: 'propagation',
      namespace: ns(namespace),
      binding,
      cluster: rev[1]!,
      uid: '',
      generation,
      triggers,
    };
  }
  return undefined;
}

function enc(triggers: readonly Trigger[] | string): string {
  return typeof triggers === 'string' ? safe(triggers) : encodeTriggers(triggers);
}

/** BullMQ refuses ':' in custom ids (it reserves them for its own repeat jobs). */
function safe(s: string): string {
  return s.replaceAll(':', '.');
}

function checked(id: string): string {
  if (id.includes(':')) throw new Error(`job id ${id} holds ':', which BullMQ refuses`);
  return id;
}
