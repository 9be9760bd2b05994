import { type KubeObject, TYPES } from '../api.js';
import { useFetch, useLiveList } from '../live.js';
import { href, type Route } from '../router.js';

interface Explanation {
  policy?: { winner: string; reason: string };
  feasible: { clusters: string[]; total: number[]; byPlugin: Record<string, number[]> };
  rejected: { plugin: string; reason: string; clusters: string[] }[];
  placement: { name: string; replicas?: number; total: number; costPerMonth?: number }[];
  messages: string[];
}

function Explain(props: { binding: KubeObject }) {
  const r = props.binding.spec.resource as { type: string; namespace: string; name: string };
  const { data, error } = useFetch<KubeObject>(
    `/explain/${encodeURIComponent(r.type)}/${encodeURIComponent(r.namespace || '_')}/${encodeURIComponent(r.name)}`,
  );
  if (error) return <p role="alert">No explanation: {error.message}</p>;
  if (!data) return <p aria-busy="true">Loading the explanation…</p>;
  const ex = data.status?.explanation as Explanation | undefined;
  if (!ex) return <p>The scheduler has not explained this placement yet.</p>;
  const plugins = Object.keys(ex.feasible.byPlugin);
  const placed = new Set(ex.placement.map((p) => p.name));
  return (
    <div data-testid="explanation">
      {ex.policy && (
        <p>
          Policy <strong>{ex.policy.winner}</strong> won: {ex.policy.reason}
        </p>
      )}
      <table aria-label="Feasible clusters and their scores">
        <thead>
          <tr>
            <th scope="col">Cluster</th>
            <th scope="col">Verdict</th>
            <th scope="col">Total</th>
            {plugins.map((p) => (
              <th key={p} scope="col">
                {p}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {ex.feasible.clusters.map((c, i) => (
            <tr key={c}>
              <th scope="row">{c}</th>
              <td>{placed.has(c) ? 'selected' : 'feasible'}</td>
              <td>{ex.feasible.total[i]}</td>
              {plugins.map((p) => (
                <td key={p}>{ex.feasible.byPlugin[p]![i]}</td>
              ))}
            </tr>
          ))}
          {ex.rejected.flatMap((g) =>
            g.clusters.map((c) => (
              <tr key={`${g.plugin}/${c}`}>
                <th scope="row">{c}</th>
                <td colSpan={2 + plugins.length}>
                  rejected by {g.plugin}: {g.reason}
                </td>
              </tr>
            )),
          )}
        </tbody>
      </table>
      {ex.messages.length > 0 && (
        <ul aria-label="Scheduler messages">
          {ex.messages.map((m) => (
            <li key={m}>{m}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** Placements: each template's clusters and replicas, per-cluster status and drift, and the scheduler's explanation. */
export function PlacementsView(props: { route: Route }) {
  const { items, error } = useLiveList(TYPES.binding);
  const cluster = props.route.query.get('cluster');
  const [ns, name] = props.route.parts;
  if (error && !items) return <p role="alert">Could not list placements: {error.message}</p>;
  if (!items) return <p aria-busy="true">Loading placements…</p>;
  const shown = items.filter(
    (b) => cluster === null || (b.spec.clusters as { name: string }[]).some((c) => c.name === cluster),
  );
  const open = items.find((b) => b.metadata.namespace === ns && b.metadata.name === name);
  return (
    <section aria-labelledby="placements-h">
      <h2 id="placements-h">Placements{cluster !== null && ` on ${cluster}`}</h2>
      {cluster !== null && (
        <p>
          <a href={href('placements')}>All placements</a> · <a href={href('fleet')}>Fleet</a>
        </p>
      )}
      {shown.length === 0 ? (
        <p>No templates are placed{cluster !== null && ` on ${cluster}`}.</p>
      ) : (
        <table aria-label="Templates and where they run" data-testid="placements-table">
          <thead>
            <tr>
              <th scope="col">Template</th>
              <th scope="col">Policy</th>
              <th scope="col">Clusters (replicas)</th>
              <th scope="col">Status and drift</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((b) => {
              const r = b.spec.resource as { kind: string; namespace: string; name: string };
              const statuses = (b.status?.clusters ?? []) as {
                cluster: string;
                phase: string;
                drift?: { paths: string[] };
              }[];
              return (
                <tr
                  key={`${b.metadata.namespace}/${b.metadata.name}`}
                  data-template={`${r.namespace}/${r.name}`}
                >
                  <th scope="row">
                    <a href={href('placements', [b.metadata.namespace ?? '', b.metadata.name])}>
                      {r.kind} {r.namespace ? `${r.namespace}/` : ''}
                      {r.name}
                    </a>
                  </th>
                  <td>{b.spec.policy ?? '—'}</td>
                  <td>
                    {(b.spec.clusters as { name: string; replicas?: number }[]).map((c, i) => (
                      <span key={c.name}>
                        {i > 0 && ', '}
                        <a href={href('fleet', [], {})}>{c.name}</a>
                        {c.replicas !== undefined && ` (${c.replicas})`}
                      </span>
                    ))}
                  </td>
                  <td>
                    {statuses
                      .map(
                        (s) =>
                          `${s.cluster}: ${s.phase}${s.drift ? ` (drift: ${s.drift.paths.join(', ')})` : ''}`,
                      )
                      .join('; ') || '—'}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {open && (
        <section aria-labelledby="explain-h">
          <h3 id="explain-h">Why {open.spec.resource.name} runs where it runs</h3>
          <Explain binding={open} />
        </section>
      )}
    </section>
  );
}
