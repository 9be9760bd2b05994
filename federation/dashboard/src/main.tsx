import { type ComponentChildren, render } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, api, signIn, signOut, TYPES } from './api.js';
import { href, useRoute } from './router.js';
import { FleetView } from './views/fleet.js';
import { OptionalKindView } from './views/optional-kind.js';
import { PlacementsView } from './views/placements.js';
import { TrafficView } from './views/traffic.js';
import './style.css';

const VIEWS = [
  ['fleet', 'Fleet'],
  ['traffic', 'Traffic'],
  ['placements', 'Placements'],
  ['peerings', 'Peerings'],
  ['replication', 'Replication'],
] as const;

function SignIn(props: { onDone: () => void }) {
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  return (
    <main id="main" class="signin">
      <h1>fedgate</h1>
      <form
        aria-label="Sign in"
        onSubmit={async (e) => {
          e.preventDefault();
          const input = (e.currentTarget as HTMLFormElement).elements.namedItem('token') as HTMLInputElement;
          setBusy(true);
          try {
            await signIn(input.value.trim());
            input.value = ''; // the page keeps no copy of the token
            props.onDone();
          } catch (err) {
            setError(
              err instanceof ApiError && err.status === 401 ? 'That token was not accepted.' : String(err),
            );
          } finally {
            setBusy(false);
          }
        }}
      >
        <label for="token">API token (the token in your fedgate CLI config)</label>
        <input id="token" name="token" type="password" autocomplete="off" required />
        <button type="submit" disabled={busy}>
          Sign in
        </button>
        {error && <p role="alert">{error}</p>}
      </form>
    </main>
  );
}

/** Marks `fedgate:render:<view>` once the view has rendered data (no loading placeholder left). */
function useRenderMark(view: string, main: HTMLElement | null) {
  useEffect(() => {
    if (!main) return;
    const name = `fedgate:render:${view}`;
    performance.clearMarks(name);
    const check = () => {
      if (main.querySelector('h2') && !main.querySelector('[aria-busy="true"]')) {
        performance.mark(name);
        observer.disconnect();
      }
    };
    const observer = new MutationObserver(check);
    observer.observe(main, { childList: true, subtree: true });
    check();
    return () => observer.disconnect();
  }, [view, main]);
}

function App() {
  const [signedIn, setSignedIn] = useState<boolean | undefined>(undefined);
  const route = useRoute();
  const mainRef = useRef<HTMLElement>(null);
  const [main, setMain] = useState<HTMLElement | null>(null);
  useEffect(() => {
    api<{ signedIn: boolean }>('/session').then(
      (s) => setSignedIn(s.signedIn),
      () => setSignedIn(false),
    );
  }, []);
  useEffect(() => setMain(mainRef.current), [signedIn]);
  useRenderMark(route.view, main);
  if (signedIn === undefined) return <p aria-busy="true">Loading…</p>;
  if (!signedIn) return <SignIn onDone={() => setSignedIn(true)} />;
  let view: ComponentChildren;
  switch (route.view) {
    case 'traffic':
      view = <TrafficView route={route} />;
      break;
    case 'placements':
      view = <PlacementsView route={route} />;
      break;
    case 'peerings':
      view = (
        <OptionalKindView
          title="Peerings"
          type={TYPES.peering}
          describe="Peerings link member clusters' networks."
        />
      );
      break;
    case 'replication':
      view = (
        <OptionalKindView
          title="Replication"
          type={TYPES.replication}
          describe="Storage replication copies volumes between clusters."
        />
      );
      break;
    default:
      view = <FleetView route={route} />;
  }
  return (
    <>
      <button type="button" class="skip" onClick={() => mainRef.current?.focus()}>
        Skip to content
      </button>
      <header>
        <h1>fedgate</h1>
        <nav aria-label="Views">
          {VIEWS.map(([id, label]) => (
            <a key={id} href={href(id)} aria-current={route.view === id ? 'page' : undefined}>
              {label}
            </a>
          ))}
        </nav>
        <button
          type="button"
          onClick={async () => {
            await signOut();
            setSignedIn(false);
          }}
        >
          Sign out
        </button>
      </header>
      <main id="main" ref={mainRef} tabIndex={-1}>
        {view}
      </main>
    </>
  );
}

render(<App />, document.getElementById('app')!);
