import { useEffect, useState } from 'preact/hooks';
import { ApiError, api, type KubeObject, list, type Traffic } from './api.js';

type Listener = (type: string) => void;
const listeners = new Set<Listener>();
let source: EventSource | undefined;

/** One shared watch stream (server-sent events) for every view; reconnects by itself. */
function subscribe(fn: Listener): () => void {
  listeners.add(fn);
  if (source === undefined) {
    source = new EventSource('/api/v1/watch');
    for (const ev of ['ADDED', 'MODIFIED', 'DELETED']) {
      source.addEventListener(ev, (e) => {
        try {
          // `type` is the event (ADDED…); the object's type key is in `key`.
          const type = (JSON.parse((e as MessageEvent<string>).data) as { key: { type: string } }).key.type;
          for (const l of listeners) l(type);
        } catch {
          // a malformed event changes nothing; the next list is authoritative
        }
      });
    }
    // After an ERROR (410 Expired) or a dropped stream every view lists again.
    source.addEventListener('ERROR', () => {
      for (const l of listeners) l('*');
    });
    source.onopen = () => {
      for (const l of listeners) l('*');
    };
  }
  return () => {
    listeners.delete(fn);
    if (listeners.size === 0) {
      source?.close();
      source = undefined;
    }
  };
}

/** The state of a live list: loading, the items, or an error (404 = the kind is not served). */
export interface LiveList {
  items: KubeObject[] | undefined;
  error: ApiError | undefined;
}

/** Lists a type and lists it again (debounced) whenever the watch reports a change of it. */
export function useLiveList(type: string): LiveList {
  const [state, setState] = useState<LiveList>({ items: undefined, error: undefined });
  useEffect(() => {
    let alive = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const load = () => {
      list(type).then(
        (l) => alive && setState({ items: l.items, error: undefined }),
        (err: unknown) =>
          alive &&
          setState((s) => ({
            items: s.items,
            error: err instanceof ApiError ? err : new ApiError(0, String(err)),
          })),
      );
    };
    load();
    const unsubscribe = subscribe((t) => {
      if (t !== type && t !== '*') return;
      clearTimeout(timer);
      timer = setTimeout(load, 200);
    });
    return () => {
      alive = false;
      clearTimeout(timer);
      unsubscribe();
    };
  }, [type]);
  return state;
}

/** Polls the traffic matrix every few seconds (it is measured, not stored: there is no watch of it). */
export function useTraffic(
  window = '5m',
  everyMs = 3000,
): { traffic: Traffic | undefined; error: string | undefined } {
  const [state, setState] = useState<{ traffic: Traffic | undefined; error: string | undefined }>({
    traffic: undefined,
    error: undefined,
  });
  useEffect(() => {
    let alive = true;
    const load = () =>
      api<Traffic>(`/traffic?window=${window}&services=false`).then(
        (traffic) => alive && setState({ traffic, error: undefined }),
        (err: unknown) =>
          alive &&
          setState((s) => ({
            traffic: s.traffic,
            error:
              err instanceof ApiError && err.status === 404
                ? 'not configured'
                : String((err as Error).message),
          })),
      );
    load();
    const timer = setInterval(load, everyMs);
    return () => {
      alive = false;
      clearInterval(timer);
    };
  }, [window, everyMs]);
  return state;
}

/** Fetches once per key. */
export function useFetch<T>(path: string | undefined): { data: T | undefined; error: ApiError | undefined } {
  const [state, setState] = useState<{ data: T | undefined; error: ApiError | undefined }>({
    data: undefined,
    error: undefined,
  });
  useEffect(() => {
    if (path === undefined) return;
    let alive = true;
    setState({ data: undefined, error: undefined });
    api<T>(path).then(
      (data) => alive && setState({ data, error: undefined }),
      (err: unknown) =>
        alive &&
        setState({ data: undefined, error: err instanceof ApiError ? err : new ApiError(0, String(err)) }),
    );
    return () => {
      alive = false;
    };
  }, [path]);
  return state;
}
