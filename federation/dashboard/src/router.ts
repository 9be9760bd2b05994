import { useEffect, useState } from 'preact/hooks';

/** A parsed hash route: `#/view/a/b?k=v` → { view, parts: [a, b], query }. Bookmarkable. */
export interface Route {
  view: string;
  parts: string[];
  query: URLSearchParams;
}

export function parseRoute(hash: string): Route {
  const [path = '', q = ''] = hash.replace(/^#\/?/, '').split('?');
  const [view = 'fleet', ...parts] = path.split('/').filter(Boolean).map(decodeURIComponent);
  return { view, parts, query: new URLSearchParams(q) };
}

/** The href of a route. */
export function href(view: string, parts: string[] = [], query: Record<string, string> = {}): string {
  const q = new URLSearchParams(query).toString();
  return `#/${[view, ...parts].map(encodeURIComponent).join('/')}${q ? `?${q}` : ''}`;
}

/** The current route, following hash changes. */
export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const on = () => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return route;
}
