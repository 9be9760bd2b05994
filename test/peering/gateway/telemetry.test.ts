import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { GatewayTelemetry } from '../../../peering/gateway/telemetry.js';

describe('GatewayTelemetry', () => {
  it('serves every recorded call on /metrics in the Istio series, and each link once per drain', async () => {
    const registry = new Registry();
    const t = new GatewayTelemetry(registry);
    for (let i = 0; i < 5; i++) {
      t.upstreamTry('b');
      t.record('source', 'a', 'b', 'shop/cart', 200, 'http', 3, 100, 1000);
    }
    t.record('source', 'a', 'b', 'shop/cart', 503, 'http', 40, 100, 0);
    t.record('destination', 'a', 'b', 'shop/cart', 200, 'grpc', 1, 10, 20);
    const text = await registry.metrics();
    const line = (prefix: string) => text.split('\n').find((l) => l.startsWith(prefix) && !l.startsWith('#'));
    expect(
      line(
        'istio_requests_total{reporter="source",source_cluster="a",destination_cluster="b",destination_service="shop/cart",response_code="200",request_protocol="http"}',
      ),
    ).toMatch(/ 5$/);
    expect(
      line(
        'istio_requests_total{reporter="source",source_cluster="a",destination_cluster="b",destination_service="shop/cart",response_code="503"',
      ),
    ).toMatch(/ 1$/);
    expect(line('istio_requests_total{reporter="destination"')).toMatch(/request_protocol="grpc"} 1$/);
    expect(line('istio_request_bytes_total{reporter="source"')).toMatch(/ 600$/);
    expect(line('istio_response_bytes_total{reporter="source"')).toMatch(/ 5000$/);
    expect(line('istio_request_duration_milliseconds_count{reporter="source"')).toMatch(/ 6$/);
    expect(line('fedgate_gateway_upstream_requests_total{destination_cluster="b"}')).toMatch(/ 5$/);
    // Read twice: counts are not handed over twice.
    expect((await registry.metrics()).includes('response_code="200",request_protocol="http"} 5')).toBe(true);

    const first = t.drainLinks();
    expect(first.get('a|b|shop/cart')).toMatchObject({
      requests: 6,
      errors: 1,
      bytesIn: 600,
      bytesOut: 5000,
    });
    expect(first.size).toBe(1); // the destination side does not report links
    t.record('source', 'a', 'b', 'shop/cart', 200, 'http', 3, 1, 2);
    // A failed push puts its links back; later calls add to them.
    t.restoreLinks(first);
    t.record('source', 'a', 'b', 'shop/cart', 200, 'http', 3, 1, 2);
    const second = t.drainLinks();
    expect(second.get('a|b|shop/cart')).toMatchObject({ requests: 8, bytesIn: 602, bytesOut: 5004 });
    expect(t.drainLinks().size).toBe(0);
  });
});
