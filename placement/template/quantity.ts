/**
 * Kubernetes resource quantities ('500m', '1.5', '1Gi', '128974848', '129e6', '129M') parsed to
 * numbers. CPU in millicores, memory in bytes; both rounded up like the kubelet does.
 */

const BINARY: Record<string, number> = {
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};
const DECIMAL: Record<string, number> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
};
const PATTERN = /^([+-]?[0-9]*\.?[0-9]+)(?:([eE][+-]?[0-9]+)|(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E))?$/;

/** Error for a malformed quantity; carries the offending text. */
export class QuantityError extends Error {
  override readonly name = 'QuantityError';
  constructor(readonly text: string) {
    super(`invalid quantity ${JSON.stringify(text)}`);
  }
}

/** Parses a quantity to its value in base units (cores, bytes). Numbers pass through. */
export function parseQuantity(q: string | number): number {
  if (typeof q === 'number') {
    if (!Number.isFinite(q)) throw new QuantityError(String(q));
    return q;
  }
  const m = PATTERN.exec(q.trim());
  if (m === null) throw new QuantityError(q);
  const base = Number(m[1]);
  if (m[2] !== undefined) return base * 10 ** Number(m[2].slice(1));
  const suffix = m[3] ?? '';
  const factor = BINARY[suffix] ?? DECIMAL[suffix];
  if (factor === undefined) throw new QuantityError(q);
  return base * factor;
}

/** CPU quantity in millicores (rounded up). */
export function parseCpuMilli(q: string | number): number {
  return Math.ceil(parseQuantity(q) * 1000 - 1e-9);
}

/** Memory quantity in bytes (rounded up). */
export function parseMemoryBytes(q: string | number): number {
  return Math.ceil(parseQuantity(q) - 1e-9);
}
