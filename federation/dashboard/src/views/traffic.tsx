import { useMemo } from 'preact/hooks';
import { type KubeObject, type SeriesPoint, TYPES } from '../api.js';
import { bytes, money, percent, rate } from '../format.js';
import { useFetch, useLiveList, useTraffic } from '../live.js';
import { href, type Route } from '../router.js';
import { SeriesChart } from './series-chart.js';
import { groupLinks, TrafficGraph } from './traffic-graph.js';

/** Graph nodes above this count are grouped (by region, then by provider). */
const GRAPH_NODES_MAX = 40;

type Level = 'cluster' | 'region' | 'provider';

function nodeMapper(clusters: KubeObject[], level: Level): (name: string) => string {
  const byName = new Map(clusters.map((c) => [c.metadata.name, c]));
  return (name) => {
    const c = byName.get(name);
    if (level === 'cluster' || !c) return level === 'cluster' ? name : 'unknown';
    return level === 'provider' ? c.spec.provider : `${c.spec.provider}/${c.spec.region}`;
  };
}

/** Traffic: the measured cross-cluster matrix as a graph and a table, with egress cost and a link's last hour. */
export function TrafficView(props: { route: Route }) {
  const { traffic, error } = useTraffic();
  const clusters = useLiveList(TYPES.cluster).items ?? [];
  const colourBy = props.route.query.get('colour') === 'errors' ? 'errors' : 'p99';
  const selected = props.route.query.get('link') ?? undefined;
  const links = traffic?.links ?? [];
  const ends = new Set(links.flatMap((l) => [l.source, l.destination]));
  const wanted = props.route.query.get('level') as Level | null;
  const regionCount = new Set(clusters.map((c) => `${c.spec.provider}/${c.spec.region}`)).size;
  const level: Level =
    wanted ??
    (ends.size <= GRAPH_NODES_MAX ? 'cluster' : regionCount <= GRAPH_NODES_MAX ? 'region' : 'provider');
  const nodeOf = useMemo(() => nodeMapper(clusters, level), [clusters, level]);
  const grouped = useMemo(() => groupLinks(links, nodeOf), [links, nodeOf]);
  const providerOf = useMemo(() => {
    const m = new Map(clusters.map((c) => [c.metadata.name, c.spec.provider as string]));
    return (id: string) => (level === 'cluster' ? (m.get(id) ?? '?') : id.split('/')[0]!);
  }, [clusters, level]);
  const nodes = useMemo(
    () =>
      [...new Set(grouped.flatMap((l) => [l.source, l.destination]))]
        .map((id) => ({ id, provider: providerOf(id) }))
        .sort((a, b) => a.provider.localeCompare(b.provider) || a.id.localeCompare(b.id)),
    [grouped, providerOf],
  );
  const [src, dst] = selected?.split('|') ?? [];
  const series = useFetch<{ points: SeriesPoint[] }>(
    selected && level === 'cluster'
      ? `/traffic/series?window=1h&source=${encodeURIComponent(src ?? '')}&destination=${encodeURIComponent(dst ?? '')}`
      : undefined,
  );
  const q = (patch: Record<string, string>) =>
    href('traffic', [], {
      ...Object.fromEntries(props.route.query),
      ...patch,
    });
  if (error === 'not configured')
    return <p>Traffic is not configured: this API has no gateway traffic source.</p>;
  if (!traffic) return <p aria-busy="true">Loading traffic…</p>;
  const perHour = links.reduce((s, l) => s + l.egressCostPerHour, 0);
  const perMonth = links.reduce((s, l) => s + l.egressCostPerMonth, 0);
  const rps = links.reduce((s, l) => s + l.requestsPerSecond, 0);
  return (
    <section aria-labelledby="traffic-h">
      <h2 id="traffic-h">Traffic</h2>
      <ul class="totals" aria-label="Traffic totals">
        <li data-testid="traffic-rps">
          <strong>{rate(rps)}</strong> requests/s
        </li>
        <li data-testid="traffic-links">
          <strong>{links.length}</strong> links
        </li>
        <li data-testid="egress-hour">
          <strong>{money(perHour)}</strong> egress / hour
        </li>
        <li data-testid="egress-month">
          <strong>{money(perMonth)}</strong> egress / month
        </li>
        <li>window {traffic.window}</li>
      </ul>
      <nav class="options" aria-label="Traffic graph options">
        Colour by{' '}
        <a href={q({ colour: 'p99' })} aria-current={colourBy === 'p99' ? 'true' : undefined}>
          p99 latency
        </a>{' '}
        ·{' '}
        <a href={q({ colour: 'errors' })} aria-current={colourBy === 'errors' ? 'true' : undefined}>
          error rate
        </a>{' '}
        — group by{' '}
        {(['cluster', 'region', 'provider'] as const).map((l) => (
          <a key={l} href={q({ level: l })} aria-current={level === l ? 'true' : undefined}>
            {l}{' '}
          </a>
        ))}
      </nav>
      {links.length === 0 ? (
        <p>No cross-cluster traffic measured in the last {traffic.window}.</p>
      ) : (
        <div class="traffic">
          <TrafficGraph
            nodes={nodes}
            links={grouped}
            colourBy={colourBy}
            selected={selected}
            onSelect={(l) => {
              location.hash = q({ link: `${l.source}|${l.destination}` });
            }}
            onNode={(id) => {
              location.hash =
                level === 'cluster' ? href('placements', [], { cluster: id }) : q({ level: 'cluster' });
            }}
          />
          <table aria-label="Traffic links" data-testid="traffic-table">
            <thead>
              <tr>
                <th scope="col">Link</th>
                <th scope="col">req/s</th>
                <th scope="col">bytes</th>
                <th scope="col">p99 ms</th>
                <th scope="col">errors</th>
                <th scope="col">egress /h</th>
                <th scope="col">egress /month</th>
              </tr>
            </thead>
            <tbody>
              {[...grouped]
                .sort((a, b) => b.requestsPerSecond - a.requestsPerSecond)
                .slice(0, 200)
                .map((l) => {
                  const key = `${l.source}|${l.destination}`;
                  return (
                    <tr key={key} data-link={key} aria-selected={selected === key}>
                      <th scope="row">
                        <a href={q({ link: key })}>
                          {l.source} → {l.destination}
                        </a>
                      </th>
                      <td>{rate(l.requestsPerSecond)}</td>
                      <td>{bytes(l.bytes)}</td>
                      <td>{l.p99Ms.toFixed(1)}</td>
                      <td>{percent(l.errorRate)}</td>
                      <td>{money(l.egressCostPerHour)}</td>
                      <td>{money(l.egressCostPerMonth)}</td>
                    </tr>
                  );
                })}
            </tbody>
          </table>
        </div>
      )}
      {selected && series.data && <SeriesChart points={series.data.points} title={`${src} → ${dst}`} />}
      {selected && series.error && (
        <p role="alert">
          No series for {selected}: {series.error.message}
        </p>
      )}
    </section>
  );
}
