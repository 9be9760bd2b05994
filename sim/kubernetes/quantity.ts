/**
 * Kubernetes resource quantities ('500m', '1.5', '128Mi', '1e3', '2G'), parsed the way the
 * apiserver does (k8s.io/apimachinery/pkg/api/resource): a signed decimal number followed by
 * either a binary SI suffix (Ki…Ei), a decimal SI suffix (n, u, m, '', k, M, G, T, P, E) or a
 * decimal exponent (e3, E-2). Note the ambiguity the real grammar resolves: '1E' is exa, '1E3' is
 * an exponent.
 */

const BINARY_SUFFIXES: Readonly<Record<string, number>> = {
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

const DECIMAL_SUFFIXES: Readonly<Record<string, number>> = {
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

const QUANTITY_RE = /^([+-]?(?:\d+\.?\d*|\.\d+))(.*)$/;

/** Thrown for a string that is not a valid Kubernetes quantity. */
export class QuantityError extends Error {
  override readonly name = 'QuantityError';
}

/** Parses a quantity into its value in base units (cores, bytes, count); throws QuantityError. */
export function parseQuantity(input: string | number): number {
  if (typeof input === 'number') {
    if (!Number.isFinite(input)) throw new QuantityError(`quantity ${input} is not finite`);
    return input;
  }
  const text = input.trim();
  const match = QUANTITY_RE.exec(text);
  if (!match || text === '')
    throw new QuantityError(
      `quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$': ${JSON.stringify(input)}`,
    );
  const value = Number(match[1]);
  const suffix = match[2] ?? '';
  const binary = BINARY_SUFFIXES[suffix];
  if (binary !== undefined) return value * binary;
  const decimal = DECIMAL_SUFFIXES[suffix];
  if (decimal !== undefined) return value * decimal;
  const exponent = /^[eE]([+-]?\d+)$/.exec(suffix);
  if (exponent) return value * 10 ** Number(exponent[1]);
  throw new QuantityError(`unable to parse quantity's suffix: ${JSON.stringify(input)}`);
}

/** Parses a CPU quantity into integer millicores, rounding up like the scheduler ('0.1' → 100, '1' → 1000). */
export function parseCpuMillis(input: string | number): number {
  // Round away tiny float error first (0.1 * 1000 = 100.00000000000001) before ceil.
  return Math.ceil(Number((parseQuantity(input) * 1000).toFixed(6)));
}

/** Parses a memory (or storage) quantity into integer bytes, rounding up. */
export function parseBytes(input: string | number): number {
  return Math.ceil(Number(parseQuantity(input).toFixed(6)));
}

/** Formats millicores canonically, the way the apiserver serializes them ('1500m', '2'). */
export function formatCpuMillis(millis: number): string {
  return millis % 1000 === 0 ? String(millis / 1000) : `${millis}m`;
}

/** Formats bytes with the largest exact binary suffix ('128Mi', '16Gi', '1000'). */
export function formatBytes(bytes: number): string {
  const suffixes = ['Ei', 'Pi', 'Ti', 'Gi', 'Mi', 'Ki'] as const;
  for (const suffix of suffixes) {
    const unit = BINARY_SUFFIXES[suffix] ?? 1;
    if (bytes !== 0 && bytes % unit === 0) return `${bytes / unit}${suffix}`;
  }
  return String(bytes);
}
