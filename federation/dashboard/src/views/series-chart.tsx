import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { SeriesPoint } from '../api.js';

/** The selected link's last hour: request rate and p50/p90/p99 latency (uPlot), plus a data table for screen readers. */
export function SeriesChart(props: { points: SeriesPoint[]; title: string }) {
  const el = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!el.current) return;
    const p = props.points;
    const data: uPlot.AlignedData = [
      p.map((x) => x.t),
      p.map((x) => x.requestsPerSecond),
      p.map((x) => x.p50Ms),
      p.map((x) => x.p90Ms),
      p.map((x) => x.p99Ms),
      p.map((x) => x.errorRate * 100),
    ];
    const plot = new uPlot(
      {
        title: props.title,
        width: Math.min(900, el.current.clientWidth || 700),
        height: 240,
        scales: { ms: { auto: true }, rps: { auto: true } },
        axes: [
          {},
          { scale: 'rps', label: 'req/s' },
          { scale: 'ms', side: 1, label: 'ms', grid: { show: false } },
        ],
        series: [
          {},
          { label: 'req/s', scale: 'rps', stroke: '#000000', width: 2 },
          { label: 'p50 ms', scale: 'ms', stroke: '#0072B2' },
          { label: 'p90 ms', scale: 'ms', stroke: '#E69F00', dash: [6, 3] },
          { label: 'p99 ms', scale: 'ms', stroke: '#D55E00', dash: [2, 2] },
          { label: 'errors %', scale: 'rps', stroke: '#CC79A7', dash: [8, 2, 2, 2] },
        ],
      },
      data,
      el.current,
    );
    return () => plot.destroy();
  }, [props.points, props.title]);
  const last = props.points.filter((x) => x.requestsPerSecond > 0).slice(-5);
  return (
    <figure class="series">
      <div ref={el} aria-hidden="true" />
      <figcaption>
        {props.title} over the last hour ({props.points.length} points of 10 s)
        {last.length > 0 && (
          <table aria-label="Latest points of the series">
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">req/s</th>
                <th scope="col">p50 ms</th>
                <th scope="col">p99 ms</th>
                <th scope="col">bytes</th>
              </tr>
            </thead>
            <tbody>
              {last.map((x) => (
                <tr key={x.t}>
                  <td>{new Date(x.t * 1000).toLocaleTimeString()}</td>
                  <td>{x.requestsPerSecond.toFixed(2)}</td>
                  <td>{x.p50Ms.toFixed(1)}</td>
                  <td>{x.p99Ms.toFixed(1)}</td>
                  <td>{x.bytes}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </figcaption>
    </figure>
  );
}
