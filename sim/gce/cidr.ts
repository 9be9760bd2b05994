/** IPv4 CIDR arithmetic for subnet ranges. */

/** The first and last address of a CIDR as numbers, or undefined when it is not one. */
export function cidrRange(cidr: string): { first: number; last: number } | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  const bits = Number(m[5]);
  if (octets.some((o) => o > 255) || bits > 32) return undefined;
  const addr = octets.reduce((a, o) => a * 256 + o, 0);
  const size = 2 ** (32 - bits);
  const first = Math.floor(addr / size) * size;
  return { first, last: first + size - 1 };
}

/** True when the two CIDRs share an address. */
export function cidrsOverlap(a: string, b: string): boolean {
  const x = cidrRange(a);
  const y = cidrRange(b);
  return !!x && !!y && x.first <= y.last && y.first <= x.last;
}

/** The dotted address `offset` after the CIDR's first address. */
export function addressInCidr(cidr: string, offset: number): string {
  const r = cidrRange(cidr);
  if (!r) throw new Error(`not a CIDR: ${cidr}`);
  const n = r.first + offset;
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
}
