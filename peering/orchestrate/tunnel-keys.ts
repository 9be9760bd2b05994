import { randomInt } from 'node:crypto';

// AWS accepts 8–64 characters of letters, digits, '.' and '_', not starting with '0'; GCP and Azure
// accept that too. 40 characters from 64 symbols: 240 bits from the CSPRNG.
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._';

/** A pre-shared key for one IPsec tunnel, from the CSPRNG, in the character set every provider accepts. */
export function newTunnelKey(length = 40): string {
  let key = ALPHABET[randomInt(52)]!; // a letter first: never '0', '.' or '_'
  while (key.length < length) key += ALPHABET[randomInt(ALPHABET.length)]!;
  return key;
}

/** Where a peering's tunnel keys are kept: sealed at rest, never logged, never in a status. */
export interface TunnelKeyVault {
  /** The keys of a peering at a rotation generation, created (and stored) on first use. */
  keys(peering: string, rotation: string, count: number): Promise<string[]>;
  /** Forgets a peering's keys (after it was deleted). */
  forget(peering: string): Promise<void>;
}
