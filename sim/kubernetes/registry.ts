/**
 * The generic registry: what the apiserver does between decoding a request and writing to etcd,
 * for every resource alike — namespace existence, system metadata (uid, creationTimestamp,
 * generation), defaulting, validation, optimistic concurrency on resourceVersion, field-manager
 * tracking, status-subresource separation, finalizers, dry runs and no-op detection.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { trackUpdate } from './apply.js';
import { applyDefaults } from './defaults.js';
import type { FieldSelector } from './field-selector.js';
import { matchesFields, parseFieldSelector } from './field-selector.js';
import type { LabelSelector } from './label-selector.js';
import { matchesLabels, parseLabelSelector } from './label-selector.js';
import type { FieldWalkOptions } from './managed-fields.js';
import type { ResourceCatalogue, ResourceInfo } from './resources.js';
import { apiVersionOf, BUILTIN_RESOURCES, groupResourceKey } from './resources.js';
import type { ErrorTarget, StatusBody } from './status-errors.js';
import { alreadyExists, badRequest, conflict, invalid, notFound, successStatus } from './status-errors.js';
import type { ObjectStore } from './storage.js';
import type { JsonObject, KubeObject } from './types.js';
import { cloneJson, deepEqual, isObject } from './types.js';
import { validateObject } from './validation.js';

/** Options shared by writes. */
export interface WriteOptions {
  dryRun?: boolean;
  /** Field manager; derived from the user agent when absent, as the apiserver does. */
  fieldManager?: string;
  userAgent?: string;
  subresource?: string;
}

/** Internal flags for `commit`. */
export interface CommitOptions extends WriteOptions {
  /** The caller already recorded managed fields (server-side apply). */
  managedFieldsDone?: boolean;
}

/** A list response body. */
export interface ListBody {
  kind: string;
  apiVersion: string;
  metadata: { resourceVersion: string; continue?: string; remainingItemCount?: number };
  items: KubeObject[];
}

const BUILTIN_KEYS = new Set(BUILTIN_RESOURCES.map((r) => groupResourceKey(r.group, r.resource)));

/** The resource every Namespace check is made against. */
export const NAMESPACES = groupResourceKey('', 'namespaces');

/** RFC 3339 with second precision, as metav1.Time serializes. */
export function timestamp(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

/** Selectors of a list or watch request. */
export interface Selectors {
  labels: LabelSelector;
  fields: FieldSelector;
}

/** Parses labelSelector and fieldSelector query parameters (400 on bad syntax). */
export function parseSelectors(query: URLSearchParams): Selectors {
  return {
    labels: parseLabelSelector(query.get('labelSelector')),
    fields: parseFieldSelector(query.get('fieldSelector')),
  };
}

/** True when the object passes both selectors. */
export function matchesSelectors(selectors: Selectors, object: KubeObject): boolean {
  return matchesLabels(selectors.labels, object.metadata.labels) && matchesFields(selectors.fields, object);
}

/** Resource-independent CRUD over the object store. */
export class Registry {
  private nextServiceIp = 1;

  constructor(
    readonly store: ObjectStore,
    readonly catalogue: ResourceCatalogue,
    private readonly clock: () => Date = () => new Date(),
    /** Service CIDR ClusterIPs are allocated from ('10.96.0.0/12' by default, first IP for `kubernetes`). */
    private readonly serviceCidr = '10.96.0.0/12',
  ) {}

  /** Allocates the next free ClusterIP from the service CIDR. */
  allocateClusterIP(): string {
    const [base = '10.96.0.0'] = this.serviceCidr.split('/');
    const start = base.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
    const ip = start + this.nextServiceIp;
    this.nextServiceIp += 1;
    return [24, 16, 8, 0].map((shift) => Math.floor(ip / 2 ** shift) % 256).join('.');
  }

  /** Storage key of a resource. */
  key(info: ResourceInfo): string {
    return groupResourceKey(info.group, info.resource);
  }

  /** True for built-in kinds (structured schema: associative lists, defaulting). */
  isBuiltin(info: ResourceInfo): boolean {
    return BUILTIN_KEYS.has(this.key(info));
  }

  /** Field walk options for managed-field tracking of a main-resource write. */
  walkOptions(info: ResourceInfo, subresource?: string): FieldWalkOptions {
    return {
      structured: this.isBuiltin(info),
      excludeStatus: subresource !== 'status' && info.subresources.includes('status'),
    };
  }

  /** The current time as metav1.Time. */
  now(): string {
    return timestamp(this.clock());
  }

  /** Error target for messages about an object of this resource. */
  target(info: ResourceInfo, name: string): ErrorTarget {
    return { group: info.group, resource: info.resource, kind: info.kind, name };
  }

  /** 404 unless the namespace exists (namespaced resources only). */
  requireNamespace(info: ResourceInfo, namespace: string): void {
    if (!info.namespaced) return;
    if (!this.store.get(NAMESPACES, '', namespace)) {
      throw notFound({ group: '', resource: 'namespaces', kind: 'Namespace', name: namespace });
    }
  }

  /** Reads one object or throws 404. */
  get(info: ResourceInfo, namespace: string, name: string): KubeObject {
    const object = this.store.get(this.key(info), info.namespaced ? namespace : '', name);
    if (!object) throw notFound(this.target(info, name));
    return object;
  }

  /** Lists with selectors and limit/continue pagination; namespace undefined lists all namespaces. */
  list(info: ResourceInfo, namespace: string | undefined, query: URLSearchParams): ListBody {
    const selectors = parseSelectors(query);
    const revision = this.store.currentRevision();
    let items = this.store.list(this.key(info), info.namespaced ? namespace : undefined);
    if (selectors.labels.length > 0 || selectors.fields.length > 0) {
      items = items.filter((o) => matchesSelectors(selectors, o));
    }
    const token = query.get('continue');
    if (token) {
      const start = decodeContinue(token);
      items = items.filter((o) => `${o.metadata.namespace ?? ''}/${o.metadata.name}` >= start);
    }
    const body: ListBody = {
      kind: `${info.kind}List`,
      apiVersion: apiVersionOf(info.group, info.version),
      metadata: { resourceVersion: String(revision) },
      items,
    };
    const limit = Number(query.get('limit') ?? '0');
    if (limit > 0 && items.length > limit) {
      const last = items[limit - 1];
      body.items = items.slice(0, limit);
      if (last)
        body.metadata.continue = encodeContinue(
          revision,
          `${last.metadata.namespace ?? ''}/${last.metadata.name}\u0000`,
        );
      body.metadata.remainingItemCount = items.length - limit;
    }
    return body;
  }

  /** POST: creates an object (generateName supported). */
  create(info: ResourceInfo, namespace: string, body: unknown, opts: WriteOptions): KubeObject {
    const object = this.decode(info, namespace, body);
    if (!object.metadata.name && object.metadata.generateName) {
      object.metadata.name = `${object.metadata.generateName}${randomSuffix()}`;
    }
    if (object.metadata.resourceVersion)
      throw badRequest('resourceVersion should not be set on objects to be created');
    this.requireNamespace(info, namespace);
    const ns = info.namespaced ? namespace : '';
    if (object.metadata.name && this.store.get(this.key(info), ns, object.metadata.name)) {
      throw alreadyExists(this.target(info, object.metadata.name));
    }
    applyDefaults(info, object);
    if (info.group === '' && info.resource === 'services' && isObject(object.spec)) {
      const spec = object.spec;
      if (
        (spec.clusterIP === undefined || spec.clusterIP === '') &&
        spec.type !== 'ExternalName' &&
        !opts.dryRun
      ) {
        spec.clusterIP = this.allocateClusterIP();
      }
      if (typeof spec.clusterIP === 'string' && spec.clusterIPs === undefined)
        spec.clusterIPs = [spec.clusterIP];
    }
    return this.commit(info, undefined, object, opts);
  }

  /** PUT: replaces an object, honouring metadata.resourceVersion as a precondition. */
  update(info: ResourceInfo, namespace: string, name: string, body: unknown, opts: WriteOptions): KubeObject {
    const object = this.decode(info, namespace, body);
    if (object.metadata.name !== name) {
      throw badRequest(
        `the name of the object (${object.metadata.name}) does not match the name on the URL (${name})`,
      );
    }
    const live = this.get(info, namespace, name);
    this.checkResourceVersion(info, live, object.metadata.resourceVersion);
    let next = object;
    if (opts.subresource === 'status') next = { ...cloneJson(live), status: object.status };
    applyDefaults(info, next);
    return this.commit(info, live, next, opts);
  }

  /** DELETE: removes an object (or marks it for deletion while finalizers remain). */
  remove(
    info: ResourceInfo,
    namespace: string,
    name: string,
    body: unknown,
    opts: WriteOptions,
  ): KubeObject | StatusBody {
    const live = this.get(info, namespace, name);
    const preconditions = isObject(body) ? body.preconditions : undefined;
    if (isObject(preconditions)) {
      if (preconditions.uid && preconditions.uid !== live.metadata.uid) {
        throw conflict(
          this.target(info, name),
          `Precondition failed: UID in precondition: ${String(preconditions.uid)}, UID in object meta: ${live.metadata.uid}`,
        );
      }
      this.checkResourceVersion(info, live, preconditions.resourceVersion);
    }
    if (opts.dryRun) return live;
    if (live.metadata.finalizers?.length) {
      if (live.metadata.deletionTimestamp) return live;
      const marked = cloneJson(live);
      marked.metadata.deletionTimestamp = this.now();
      marked.metadata.deletionGracePeriodSeconds = 0;
      return this.store.write(this.key(info), marked);
    }
    if (info.group === '' && info.resource === 'namespaces') return this.removeNamespace(live);
    const removed = this.store.remove(this.key(info), info.namespaced ? namespace : '', name) ?? live;
    if (info.group === '' && info.resource === 'pods') return removed;
    return successStatus({ ...this.target(info, name), uid: live.metadata.uid });
  }

  /** DELETE on a collection: removes every object matching the selectors. */
  removeCollection(
    info: ResourceInfo,
    namespace: string | undefined,
    query: URLSearchParams,
    opts: WriteOptions,
  ): ListBody {
    const list = this.list(info, namespace, withoutPaging(query));
    for (const o of list.items)
      this.remove(info, o.metadata.namespace ?? '', o.metadata.name, undefined, opts);
    return list;
  }

  // The namespace controller's work, done at once: contents first, then the namespace itself.
  private removeNamespace(live: KubeObject): KubeObject {
    const ns = live.metadata.name;
    for (const gr of this.store.groupResourcesIn(ns)) {
      for (const o of this.store.list(gr, ns)) this.store.remove(gr, ns, o.metadata.name);
    }
    const terminating = cloneJson(live);
    terminating.metadata.deletionTimestamp = this.now();
    terminating.status = { phase: 'Terminating' };
    this.store.remove(NAMESPACES, '', ns);
    return terminating;
  }

  /** 409 when `expected` is set and differs from the live resourceVersion. */
  checkResourceVersion(info: ResourceInfo, live: KubeObject, expected: unknown): void {
    if (expected === undefined || expected === null || expected === '') return;
    if (String(expected) !== live.metadata.resourceVersion) {
      throw conflict(
        this.target(info, live.metadata.name),
        'the object has been modified; please apply your changes to the latest version and try again',
      );
    }
  }

  /** Turns a request body into an object of this resource, filling kind, apiVersion and namespace. */
  decode(info: ResourceInfo, namespace: string, body: unknown): KubeObject {
    if (!isObject(body)) throw badRequest('the body of the request must be a JSON object');
    const apiVersion = apiVersionOf(info.group, info.version);
    if (typeof body.kind === 'string' && body.kind !== info.kind) {
      throw badRequest(
        `the API version in the data (${String(body.apiVersion)}) does not match the expected API version (${apiVersion}) or kind ${body.kind} is not ${info.kind}`,
      );
    }
    const metadata = isObject(body.metadata) ? body.metadata : {};
    if (
      info.namespaced &&
      metadata.namespace !== undefined &&
      metadata.namespace !== '' &&
      metadata.namespace !== namespace
    ) {
      throw badRequest(
        'the namespace of the provided object does not match the namespace sent on the request',
      );
    }
    const object = cloneJson({
      ...body,
      apiVersion,
      kind: info.kind,
      metadata: { ...metadata },
    }) as KubeObject;
    if (info.namespaced) object.metadata.namespace = namespace;
    else delete object.metadata.namespace;
    return object;
  }

  /**
   * Stamps system metadata, validates and stores (unless dry run or no-op). `next` is owned by
   * the registry from here on.
   */
  commit(info: ResourceInfo, old: KubeObject | undefined, next: KubeObject, opts: CommitOptions): KubeObject {
    const meta = next.metadata;
    next.apiVersion = apiVersionOf(info.group, info.version);
    next.kind = info.kind;
    if (old) {
      meta.uid = old.metadata.uid;
      meta.creationTimestamp = old.metadata.creationTimestamp;
      meta.name = old.metadata.name;
      if (old.metadata.deletionTimestamp) meta.deletionTimestamp = old.metadata.deletionTimestamp;
    } else {
      meta.uid = randomUUID();
      meta.creationTimestamp = this.now();
    }
    delete (meta as { resourceVersion?: string }).resourceVersion;
    const hasStatus = info.subresources.includes('status');
    if (hasStatus && opts.subresource !== 'status') {
      // The main resource cannot change status; a create of a workload starts with none.
      if (old) {
        if (old.status === undefined) delete next.status;
        else next.status = old.status;
      } else if (info.group !== '') delete next.status;
    }
    if (info.group !== '' || info.specGeneration) {
      const oldGeneration = old?.metadata.generation ?? 0;
      meta.generation = !old ? 1 : specChanged(info, old, next) ? oldGeneration + 1 : oldGeneration;
    }
    const causes = validateObject(info, next, old);
    if (causes.length > 0) throw invalid(this.target(info, meta.name), causes);
    if (!opts.managedFieldsDone) {
      const manager = opts.fieldManager ?? managerFromUserAgent(opts.userAgent);
      const apiVersion = apiVersionOf(info.group, info.version);
      trackUpdate(
        old,
        next,
        manager,
        apiVersion,
        this.now(),
        this.walkOptions(info, opts.subresource),
        opts.subresource,
      );
    }
    if (old && unchanged(old, next)) return old;
    if (opts.dryRun) {
      next.metadata.resourceVersion = old?.metadata.resourceVersion ?? '';
      return next;
    }
    // Removing the last finalizer of an object being deleted completes the deletion.
    if (old?.metadata.deletionTimestamp && !next.metadata.finalizers?.length) {
      return this.store.remove(this.key(info), meta.namespace ?? '', meta.name) ?? next;
    }
    return this.store.write(this.key(info), next);
  }
}

// Everything but metadata and status counts as spec for generation purposes.
function specChanged(info: ResourceInfo, old: KubeObject, next: KubeObject): boolean {
  if (info.specGeneration) return !deepEqual(old.spec, next.spec);
  const strip = (o: KubeObject): JsonObject => {
    const { metadata: _m, status: _s, ...rest } = o;
    return rest;
  };
  return !deepEqual(strip(old), strip(next));
}

// Equal apart from resourceVersion and managedFields timestamps: nothing to write.
function unchanged(old: KubeObject, next: KubeObject): boolean {
  const normalize = (o: KubeObject): KubeObject => ({
    ...o,
    metadata: {
      ...o.metadata,
      resourceVersion: '',
      managedFields: (o.metadata.managedFields ?? []).map((m) => ({ ...m, time: '' })),
    },
  });
  return deepEqual(normalize(old), normalize(next));
}

/** The apiserver's default field manager: the user agent up to the first '/'. */
export function managerFromUserAgent(userAgent: string | undefined): string {
  if (!userAgent) return 'unknown';
  const head = userAgent.split('/')[0] ?? '';
  return head.slice(0, 128) || 'unknown';
}

/** Random lower-case suffix used for generated names (pods of a ReplicaSet, generateName). */
export function randomSuffix(): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  const bytes = randomBytes(5);
  return [...bytes].map((b) => alphabet[b % alphabet.length]).join('');
}

function encodeContinue(revision: number, start: string): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: revision, start })).toString('base64');
}

function decodeContinue(token: string): string {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(token, 'base64').toString('utf8'));
    if (isObject(parsed) && typeof parsed.start === 'string') return parsed.start;
  } catch {
    // fall through
  }
  throw badRequest(`continue key is not valid: ${token}`);
}

function withoutPaging(query: URLSearchParams): URLSearchParams {
  const q = new URLSearchParams(query);
  q.delete('limit');
  q.delete('continue');
  return q;
}
