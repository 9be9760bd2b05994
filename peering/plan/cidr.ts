import ipaddr from 'ipaddr.js';

/** An IPv4 CIDR as an inclusive range of 32-bit addresses, with its text. */
export interface CidrRange {
  readonly cidr: string;
  readonly first: number;
  readonly last: number;
  readonly prefix: number;
}

/** Why a CIDR was refused. */
export class CidrError extends Error {
  override readonly name = 'CidrError';
}

/**
 * Parses an IPv4 CIDR (`10.0.0.0/16`). The address must be the network address: `10.0.0.1/16`
 * is refused, as the clouds refuse it for a VPC or subnet, because it usually hides a typo.
 */
export function parseCidr(text: string): CidrRange {
  let parsed: [ipaddr.IPv4 | ipaddr.IPv6, number];
  try {
    parsed = ipaddr.parseCIDR(text);
  } catch {
    throw new CidrError(`"${text}" is not a CIDR such as 10.0.0.0/16`);
  }
  const [addr, prefix] = parsed;
  if (addr.kind() !== 'ipv4') throw new CidrError(`"${text}": only IPv4 ranges are planned today`);
  const first = toUint32((addr as ipaddr.IPv4).octets);
  const size = 2 ** (32 - prefix);
  if (first % size !== 0)
    throw new CidrError(
      `"${text}" is not a network address (did you mean ${formatCidr(first - (first % size), prefix)}?)`,
    );
  return { cidr: `${formatIp(first)}/${prefix}`, first, last: first + size - 1, prefix };
}

/** True when the two ranges share at least one address. */
export function overlaps(a: CidrRange, b: CidrRange): boolean {
  return a.first <= b.last && b.first <= a.last;
}

/** The CIDR text of a network address and prefix. */
export function formatCidr(first: number, prefix: number): string {
  return `${formatIp(first)}/${prefix}`;
}

function formatIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

function toUint32(octets: number[]): number {
  return ((octets[0]! << 24) >>> 0) + (octets[1]! << 16) + (octets[2]! << 8) + octets[3]!;
}

/**
 * Allocates `count` blocks of size /`prefix` from `pool`, in address order, skipping every block
 * that overlaps a range in `avoid`. Deterministic: the same inputs give the same blocks.
 * Throws CidrError when the pool runs out.
 */
export function allocateBlocks(
  pool: CidrRange,
  prefix: number,
  count: number,
  avoid: readonly CidrRange[],
): CidrRange[] {
  if (prefix < pool.prefix) throw new CidrError(`cannot carve /${prefix} blocks out of ${pool.cidr}`);
  const size = 2 ** (32 - prefix);
  const out: CidrRange[] = [];
  for (let first = pool.first; first + size - 1 <= pool.last && out.length < count; first += size) {
    const block = { cidr: formatCidr(first, prefix), first, last: first + size - 1, prefix };
    if (!avoid.some((r) => overlaps(r, block)) && !out.some((r) => overlaps(r, block))) out.push(block);
  }
  if (out.length < count)
    throw new CidrError(`${pool.cidr} has room for only ${out.length} of ${count} /${prefix} blocks`);
  return out;
}
