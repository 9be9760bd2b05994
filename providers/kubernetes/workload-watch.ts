import * as k8s from '@kubernetes/client-node';
import type {
  ManifestObject,
  WatchHandle,
  WorkloadEvent,
  WorkloadWatchSpec,
} from '../member-cluster-client.js';
import { ProviderError } from '../provider-error.js';
import { pluralOf } from './object-api.js';
import { translateKubeError } from './translate-error.js';

/** Timing of a workload watch. */
export interface WorkloadWatchProps {
  /** First wait after a failure, doubled per failure in a row. Default 500 ms. */
  readonly minBackoffMs?: number;
  /** Longest wait between attempts. Default 30 s. */
  readonly maxBackoffMs?: number;
  /** How long the server keeps one watch request open before we reconnect. Default 5 min. */
  readonly timeoutSeconds?: number;
}

/** Lists the objects (wire JSON) with a label selector; the list carries its resourceVersion. */
type Lister = (
  selector: string,
) => Promise<{ items: ManifestObject[]; metadata?: { resourceVersion?: string } }>;

/** A watch request that ends sooner than this having seen nothing counts as a failure (backoff, re-list). */
const QUICK_END_MS = 500;

/** How one watch request ended. */
type Ended = { readonly resourceVersion: string; readonly expired: boolean };

/**
 * A list-then-watch loop on client-node's Watch, like client-go's reflector: lists, watches from
 * the list's resourceVersion (bookmarks keep it current), reconnects from the last version seen
 * when the server ends the request, re-lists when that version expired (410 Gone), and waits
 * with capped exponential backoff after errors.
 */
export class WorkloadWatch implements WatchHandle {
  private stopped = false;
  private open = false;
  private controller: AbortController | undefined;
  private wake: (() => void) | undefined;
  /** Key → metadata of the objects currently known, to report deletions a re-list reveals as they were. */
  private readonly known = new Map<string, ManifestObject['metadata']>();
  private readonly path: string;
  private readonly selector: string;

  constructor(
    private readonly what: string,
    private readonly kc: k8s.KubeConfig,
    private readonly list: Lister,
    private readonly spec: WorkloadWatchSpec,
    private readonly onEvent: (event: WorkloadEvent) => void,
    private readonly onError: (err: ProviderError) => void,
    private readonly props: WorkloadWatchProps = {},
  ) {
    const base = spec.apiVersion.includes('/') ? `/apis/${spec.apiVersion}` : `/api/${spec.apiVersion}`;
    this.path = `${base}/${pluralOf(spec.kind)}`;
    this.selector = Object.entries(spec.labels)
      .map(([k, v]) => `${k}=${v}`)
      .join(',');
    void this.run();
  }

  /** Whether a watch request is open (after a list): events arrive as they happen. */
  get current(): boolean {
    return this.open && !this.stopped;
  }

  stop(): void {
    this.stopped = true;
    this.controller?.abort();
    this.wake?.();
  }

  private async run(): Promise<void> {
    const min = this.props.minBackoffMs ?? 500;
    const max = this.props.maxBackoffMs ?? 30_000;
    let failures = 0;
    while (!this.stopped) {
      try {
        let rv = await this.relist();
        failures = 0;
        for (;;) {
          const started = Date.now();
          const ended = await this.watchFrom(rv);
          if (this.stopped || ended.expired) break;
          // A server (or proxy) that ends every watch at once must not make this loop spin.
          if (Date.now() - started < QUICK_END_MS && ended.resourceVersion === rv)
            throw new Error('the watch ended as soon as it started');
          rv = ended.resourceVersion;
        }
      } catch (err) {
        if (this.stopped) return;
        this.onError(translateKubeError(err, this.what));
        const wait = Math.min(min * 2 ** failures, max);
        failures++;
        await this.sleep(wait * (0.8 + Math.random() * 0.4));
      }
    }
  }

  /** Lists, reports every object (and the deletions the list reveals), and returns the list's version. */
  private async relist(): Promise<string> {
    const list = await this.list(this.selector);
    if (this.stopped) return '';
    const seen = new Set<string>();
    const type = { apiVersion: this.spec.apiVersion, kind: this.spec.kind };
    for (const item of list.items) {
      // A list's items may omit their apiVersion and kind (the real API server leaves them out).
      const object = { ...item, ...type };
      const key = keyOf(object);
      seen.add(key);
      this.known.set(key, identity(object));
      this.onEvent({ type: 'ADDED', object });
    }
    for (const [key, metadata] of this.known) {
      if (seen.has(key)) continue;
      this.known.delete(key);
      this.onEvent({ type: 'DELETED', object: { ...type, metadata } });
    }
    return list.metadata?.resourceVersion ?? '';
  }

  /** One watch request from `rv`; resolves when the server ends it, rejects on errors. */
  private watchFrom(rv: string): Promise<Ended> {
    return new Promise<Ended>((resolve, reject) => {
      let last = rv;
      let expired = false;
      let failure: unknown;
      let finished = false;
      const onLine = (phase: string, obj: ManifestObject & { code?: number; message?: string }): void => {
        if (this.stopped) return;
        if (phase === 'ERROR') {
          // The server answers a version older than its history with a 410 Status event.
          if (obj.code === 410) expired = true;
          else failure ??= new ProviderError('Internal', `${this.what}: ${obj.message ?? 'watch error'}`);
          return;
        }
        const version = obj.metadata?.resourceVersion;
        if (typeof version === 'string' && version) last = version;
        if (phase === 'BOOKMARK') return;
        if (phase !== 'ADDED' && phase !== 'MODIFIED' && phase !== 'DELETED') return;
        const key = keyOf(obj);
        if (phase === 'DELETED') this.known.delete(key);
        else this.known.set(key, identity(obj));
        this.onEvent({ type: phase, object: obj });
      };
      const done = (err: unknown): void => {
        finished = true;
        this.controller = undefined;
        this.open = false;
        if (this.stopped) resolve({ resourceVersion: last, expired: false });
        else if ((err as { statusCode?: number } | null)?.statusCode === 410)
          resolve({ resourceVersion: last, expired: true });
        else if (err || failure) reject(httpError(err) ?? err ?? failure);
        else resolve({ resourceVersion: last, expired });
      };
      const timeout = this.props.timeoutSeconds ?? 300;
      new k8s.Watch(this.kc)
        .watch(
          this.path,
          {
            labelSelector: this.selector || undefined,
            resourceVersion: rv || undefined,
            allowWatchBookmarks: true,
            // Spread reconnects of many watches, as client-go does.
            timeoutSeconds: Math.round(timeout * (1 + Math.random() * 0.5)),
          },
          onLine,
          done,
        )
        .then((controller) => {
          // client-node returns the controller also when the request already failed (done was called).
          if (this.stopped) controller.abort();
          else if (!finished) {
            this.controller = controller;
            this.open = true;
          }
        }, reject);
    });
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(t);
        resolve();
      };
    });
  }
}

/** What a DELETED event needs of an object: name, namespace, labels, annotations (not its managedFields). */
function identity(o: ManifestObject): ManifestObject['metadata'] {
  const { name, namespace, labels, annotations } = o.metadata;
  return {
    name,
    ...(namespace ? { namespace } : {}),
    ...(labels ? { labels } : {}),
    ...(annotations ? { annotations } : {}),
  };
}

/** client-node's Watch reports an HTTP error answer as an Error with a statusCode: made an ApiException, so it translates like any other call's. */
function httpError(err: unknown): k8s.ApiException<undefined> | undefined {
  const e = err as { statusCode?: unknown; message?: string } | null;
  if (typeof e?.statusCode !== 'number') return undefined;
  return new k8s.ApiException(e.statusCode, e.message ?? '', undefined, {});
}

function keyOf(o: ManifestObject): string {
  return `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
}
