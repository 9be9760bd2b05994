/** IPv4 range arithmetic the adapters and the orchestration share (link-local BGP ranges). */
import ipaddr from 'ipaddr.js';

/** First and last address of `a.b.c.d/n` as numbers (host bits ignored); undefined if not IPv4. */
export function ipv4Bounds(text: string): [number, number] | undefined {
  let parsed: [ipaddr.IPv4 | ipaddr.IPv6, number];
  try {
    parsed = ipaddr.parseCIDR(text);
  } catch {
    return undefined;
  }
  const [addr, prefix] = parsed;
  if (addr.kind() !== 'ipv4') return undefined;
  const n = (addr as ipaddr.IPv4).octets.reduce((v, o) => v * 256 + o, 0);
  const size = 2 ** (32 - prefix);
  const first = n - (n % size);
  return [first, first + size - 1];
}

/** Whether `range` shares an address with any of `taken` (ranges that do not parse are ignored). */
export function overlapsAny(range: string, taken: readonly string[]): boolean {
  const r = ipv4Bounds(range);
  if (!r) return false;
  return taken.some((t) => {
    const b = ipv4Bounds(t);
    return b !== undefined && r[0] <= b[1] && b[0] <= r[1];
  });
}

/** The network address of `a.b.c.d/n` with its prefix (`169.254.1.1/30` → `169.254.1.0/30`). */
export function networkOf(text: string): string | undefined {
  const b = ipv4Bounds(text);
  if (!b) return undefined;
  const prefix = text.split('/')[1];
  const o = [24, 16, 8, 0].map((shift) => Math.floor(b[0] / 2 ** shift) % 256);
  return `${o.join('.')}/${prefix}`;
}
