import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';

/** Headers that belong to one connection (RFC 9110 §7.6.1) or to the gateway itself: never forwarded. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authorization',
  'transfer-encoding',
  'upgrade',
  'host',
  'http2-settings',
  'te',
]);

/** Headers only gateways may set: the source gateway writes them, apps cannot forge them. */
export const SERVICE_HEADER = 'x-fedgate-service';
/** The SPIFFE ID of the calling workload, as the source gateway knows it. */
export const WORKLOAD_HEADER = 'x-fedgate-source-workload';

/** Request headers to send upstream: hop-by-hop, pseudo and `x-fedgate-*` headers removed; `te: trailers` kept (gRPC). */
export function forwardableRequestHeaders(h: IncomingHttpHeaders): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const k in h) {
    if (k.charCodeAt(0) === 58 /* ':' */ || HOP_BY_HOP.has(k) || k.startsWith('x-fedgate-')) continue;
    out[k] = h[k];
  }
  if (h.te === 'trailers') out.te = 'trailers';
  return out;
}

/** Response headers and trailers to send back: hop-by-hop and pseudo headers removed. */
export function forwardableResponseHeaders(
  h: Record<string, string | string[] | undefined>,
): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const k in h) {
    if (k.charCodeAt(0) === 58 || HOP_BY_HOP.has(k)) continue;
    out[k] = h[k];
  }
  return out;
}
