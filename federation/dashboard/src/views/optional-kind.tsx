import type { ComponentChildren } from 'preact';
import { useLiveList } from '../live.js';

/**
 * A page for a kind that another part of fedgate may not serve yet (Peerings, Replication): a 400
 * or 404 from its list means the capability is not configured on this control plane.
 */
export function OptionalKindView(props: { title: string; type: string; describe: string }) {
  const { items, error } = useLiveList(props.type);
  const id = `${props.title.toLowerCase()}-h`;
  let body: ComponentChildren;
  if (error && (error.status === 404 || error.status === 400)) {
    body = <p data-testid="not-configured">{props.title} is not configured on this control plane.</p>;
  } else if (error && !items) {
    body = (
      <p role="alert">
        Could not list {props.title.toLowerCase()}: {error.message}
      </p>
    );
  } else if (!items) {
    body = <p aria-busy="true">Loading…</p>;
  } else if (items.length === 0) {
    body = (
      <p data-testid="not-configured">
        {props.title}: not configured (no objects yet). {props.describe}
      </p>
    );
  } else {
    body = (
      <table aria-label={props.title}>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Conditions</th>
            <th scope="col">Spec</th>
          </tr>
        </thead>
        <tbody>
          {items.map((o) => (
            <tr key={`${o.metadata.namespace}/${o.metadata.name}`}>
              <th scope="row">{o.metadata.name}</th>
              <td>
                {((o.status?.conditions ?? []) as { type: string; status: string }[])
                  .map((c) => `${c.type}=${c.status}`)
                  .join(', ') || '—'}
              </td>
              <td>
                <code>{JSON.stringify(o.spec).slice(0, 160)}</code>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    );
  }
  return (
    <section aria-labelledby={id}>
      <h2 id={id}>{props.title}</h2>
      {body}
    </section>
  );
}
