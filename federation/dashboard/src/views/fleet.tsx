import { useMemo } from 'preact/hooks';
import { type KubeObject, type Region, TYPES } from '../api.js';
import {
  AGGREGATE_ABOVE,
  cpuUse,
  failingOver,
  health,
  PROVIDER_COLOURS,
  percent,
  STATUS,
} from '../format.js';
import { useFetch, useLiveList } from '../live.js';
import { href, type Route } from '../router.js';
import { type MapGroup, WorldMap } from './world-map.js';

function groupsOf(clusters: KubeObject[]): MapGroup[] {
  const groups = new Map<string, MapGroup>();
  for (const c of clusters) {
    const key = `${c.spec.provider}/${c.spec.region}`;
    const g = groups.get(key) ?? {
      key,
      provider: c.spec.provider,
      region: c.spec.region,
      total: 0,
      ready: 0,
      unprobed: 0,
    };
    g.total++;
    if (health(c) === 'Ready') g.ready++;
    else if (!(c.status?.conditions ?? []).some((x: { type: string }) => x.type === 'Ready')) g.unprobed++;
    groups.set(key, g);
  }
  return [...groups.values()].sort((a, b) => a.key.localeCompare(b.key));
}

function Health(props: { c: KubeObject }) {
  const h = health(props.c);
  const colour = h === 'Ready' ? STATUS.ok : h === 'NotReady' ? STATUS.bad : STATUS.unknown;
  // Why it is not Ready (ClusterUnreachable, …), from the Ready condition.
  const reason =
    h === 'Ready'
      ? undefined
      : (props.c.status?.conditions as { type: string; reason?: string }[] | undefined)?.find(
          (x) => x.type === 'Ready',
        )?.reason;
  return (
    <>
      <span class="badge" style={{ borderColor: colour }}>
        <span aria-hidden="true" style={{ color: colour }}>
          {h === 'Ready' ? '●' : h === 'NotReady' ? '✖' : '?'}
        </span>{' '}
        {h}
      </span>
      {reason && <span class="muted"> {reason}</span>}
    </>
  );
}

function Bar(props: { value: number | undefined; label: string }) {
  if (props.value === undefined) return <span class="muted">not probed</span>;
  return (
    <span class="bar" role="img" aria-label={`${props.label} ${percent(props.value)}`}>
      <span style={{ width: `${props.value * 100}%` }} />
      <em>{percent(props.value)}</em>
    </span>
  );
}

/** Fleet: member clusters by provider and region on a world map, their health, capacity and taints. */
export function FleetView(props: { route: Route }) {
  const { items, error } = useLiveList(TYPES.cluster);
  const regions = useFetch<{ items: Region[] }>('/regions');
  const filter = props.route.query.get('region');
  const groups = useMemo(() => groupsOf(items ?? []), [items]);
  if (error && !items) return <p role="alert">Could not list clusters: {error.message}</p>;
  if (!items) return <p aria-busy="true">Loading clusters…</p>;
  const ready = items.filter((c) => health(c) === 'Ready').length;
  const byProvider = new Map<string, number>();
  for (const c of items) byProvider.set(c.spec.provider, (byProvider.get(c.spec.provider) ?? 0) + 1);
  const aggregate = items.length > AGGREGATE_ABOVE && filter === null;
  const shown =
    filter === null ? items : items.filter((c) => `${c.spec.provider}/${c.spec.region}` === filter);
  return (
    <section aria-labelledby="fleet-h">
      <h2 id="fleet-h">Fleet</h2>
      <ul class="totals" aria-label="Fleet totals">
        <li data-testid="cluster-count">
          <strong>{items.length}</strong> clusters
        </li>
        <li data-testid="ready-count">
          <strong>{ready}</strong> ready
        </li>
        {[...byProvider].map(([p, n]) => (
          <li key={p}>
            <span class="swatch" style={{ background: PROVIDER_COLOURS[p] ?? '#999' }} aria-hidden="true" />
            <strong>{n}</strong> {p}
          </li>
        ))}
      </ul>
      <WorldMap
        groups={groups}
        regions={regions.data?.items ?? []}
        onSelect={(g) => {
          location.hash = href('fleet', [], { region: g.key });
        }}
      />
      {filter !== null && (
        <p>
          Showing {filter}. <a href={href('fleet')}>Show the whole fleet</a>
        </p>
      )}
      {aggregate ? (
        <table aria-label="Clusters grouped by provider and region" data-testid="fleet-groups">
          <caption>
            {items.length} clusters grouped by provider and region (more than {AGGREGATE_ABOVE}); open a group
            for its clusters.
          </caption>
          <thead>
            <tr>
              <th scope="col">Provider / region</th>
              <th scope="col">Clusters</th>
              <th scope="col">Ready</th>
            </tr>
          </thead>
          <tbody>
            {groups.map((g) => (
              <tr key={g.key}>
                <th scope="row">
                  <a href={href('fleet', [], { region: g.key })}>{g.key}</a>
                </th>
                <td>{g.total}</td>
                <td>{g.ready}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <table aria-label="Member clusters" data-testid="fleet-clusters">
          <thead>
            <tr>
              <th scope="col">Cluster</th>
              <th scope="col">Provider</th>
              <th scope="col">Region</th>
              <th scope="col">Health</th>
              <th scope="col">Nodes</th>
              <th scope="col">CPU in use</th>
              <th scope="col">Taints</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((c) => (
              <tr key={c.metadata.name} data-cluster={c.metadata.name}>
                <th scope="row">
                  <a href={href('placements', [], { cluster: c.metadata.name })}>{c.metadata.name}</a>
                </th>
                <td>{c.spec.provider}</td>
                <td>{c.spec.region}</td>
                <td>
                  <Health c={c} />
                </td>
                <td>{c.status?.nodes ?? '—'}</td>
                <td>
                  <Bar value={cpuUse(c)} label={`CPU in use on ${c.metadata.name}`} />
                </td>
                <td>
                  {((c.spec.taints ?? []) as { key: string; effect: string }[])
                    .map((t) => `${t.key}:${t.effect}`)
                    .join(', ') || '—'}
                  {failingOver(c) && <strong> (failing over)</strong>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
