/**
 * Watch: `?watch=true&resourceVersion=N` answered with a chunked stream of newline-delimited
 * `{"type","object"}` events, like the apiserver's watch cache. Without a resourceVersion (or with
 * "0") the stream starts with ADDED for every current object; with N it replays the retained events
 * after N, or sends one ERROR event carrying a 410 Expired Status when N is older than the history.
 * Selector transitions are translated as the real server does (an object that stops matching is
 * sent as DELETED, one that starts matching as ADDED). Bookmarks and timeoutSeconds are honoured.
 */
import type { ServerResponse } from 'node:http';
import type { Registry, Selectors } from './registry.js';
import { matchesSelectors } from './registry.js';
import type { ResourceInfo } from './resources.js';
import { apiVersionOf } from './resources.js';
import { expired } from './status-errors.js';
import type { StoreEvent } from './storage.js';
import type { KubeObject } from './types.js';

/** What one watch request asks for. */
export interface WatchRequest {
  info: ResourceInfo;
  /** Namespace to watch; undefined watches all namespaces (or a cluster-scoped resource). */
  namespace: string | undefined;
  selectors: Selectors;
  resourceVersion: string | undefined;
  allowBookmarks: boolean;
  timeoutSeconds: number | undefined;
  /** Turns an object into what is sent (a Table row for kubectl get -w, or the object itself). */
  render: (object: KubeObject) => unknown;
}

/** Timing knobs. */
export interface WatchOptions {
  bookmarkIntervalMs: number;
}

type WireType = 'ADDED' | 'MODIFIED' | 'DELETED';

// Translates a store event into what a watcher with these filters sees (or nothing).
function translate(req: WatchRequest, event: StoreEvent): { type: WireType; object: KubeObject } | undefined {
  if (req.namespace !== undefined && req.info.namespaced && event.namespace !== req.namespace)
    return undefined;
  const now = event.type === 'DELETED' ? false : matchesSelectors(req.selectors, event.object);
  const before = event.previous ? matchesSelectors(req.selectors, event.previous) : false;
  if (event.type === 'ADDED') return now ? { type: 'ADDED', object: event.object } : undefined;
  if (event.type === 'DELETED') return before ? { type: 'DELETED', object: event.object } : undefined;
  if (now && before) return { type: 'MODIFIED', object: event.object };
  if (now) return { type: 'ADDED', object: event.object };
  if (before) return { type: 'DELETED', object: event.object };
  return undefined;
}

/** Streams a watch on `res` until the client goes away, the timeout passes or the server closes it. */
export function serveWatch(
  res: ServerResponse,
  registry: Registry,
  req: WatchRequest,
  opts: WatchOptions,
): void {
  const key = registry.key(req.info);
  res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private' });
  res.flushHeaders();
  const send = (type: string, object: unknown): void => {
    if (!res.writableEnded) res.write(`${JSON.stringify({ type, object })}\n`);
  };
  const emit = (event: StoreEvent): void => {
    if (event.groupResource !== key) return;
    const out = translate(req, event);
    if (out) send(out.type, req.render(out.object));
  };

  const rv = req.resourceVersion;
  if (rv === undefined || rv === '' || rv === '0') {
    for (const object of registry.store.list(key, req.info.namespaced ? req.namespace : undefined)) {
      if (matchesSelectors(req.selectors, object)) send('ADDED', req.render(object));
    }
  } else {
    const revision = Number(rv);
    const history = Number.isFinite(revision)
      ? registry.store.eventsSince(key, revision)
      : { expired: true as const, oldest: 0 };
    if ('expired' in history) {
      send('ERROR', expired(`too old resource version: ${rv} (${history.oldest})`).toStatus());
      res.end();
      return;
    }
    for (const event of history.events) emit(event);
  }

  const unsubscribe = registry.store.subscribe(emit);
  const timers: NodeJS.Timeout[] = [];
  if (req.allowBookmarks) {
    const bookmark = setInterval(() => {
      send('BOOKMARK', {
        kind: req.info.kind,
        apiVersion: apiVersionOf(req.info.group, req.info.version),
        metadata: { resourceVersion: String(registry.store.currentRevision()) },
      });
    }, opts.bookmarkIntervalMs);
    timers.push(bookmark);
  }
  if (req.timeoutSeconds !== undefined && req.timeoutSeconds > 0) {
    timers.push(setTimeout(() => res.end(), req.timeoutSeconds * 1000));
  }
  const stop = (): void => {
    unsubscribe();
    for (const t of timers) clearTimeout(t);
  };
  res.on('close', stop);
  res.on('finish', stop);
}
