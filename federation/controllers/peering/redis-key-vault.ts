import type { Redis } from 'ioredis';
import { newTunnelKey, type TunnelKeyVault } from '../../../peering/orchestrate/tunnel-keys.js';
import { newWireguardLinkKeys, type WireguardLinkKeys } from '../../../peering/orchestrate/wireguard-keys.js';

/**
 * The generated configurations of an on-prem end: strongSwan `swanctl.conf` for the site's IPsec
 * tunnels to the cloud VPN gateway; WireGuard (wg-quick) for the site, and for its counterpart run
 * beside the cloud cluster's east-west gateway.
 */
export const ONPREM_CONFIG_FORMATS = ['swanctl', 'wireguard', 'wireguard-gateway'] as const;
export type OnpremConfigFormat = (typeof ONPREM_CONFIG_FORMATS)[number];

const FIELD: Record<OnpremConfigFormat, string> = {
  swanctl: 'onprem',
  wireguard: 'onprem-wireguard',
  'wireguard-gateway': 'onprem-wireguard-gateway',
};

/** Authenticated encryption of small values: EncryptionConfigSealer (federation/store/encryption/sealer.ts), the Secrets' keys. */
export interface Sealer {
  /** Seals `plaintext`, bound to `aad` (sealed data moved under another name does not open). */
  seal(aad: string, plaintext: string): string;
  open(aad: string, sealed: string): string;
}

/**
 * The vault's key prefix beside a store with this prefix (default `fg`), in the store's hash tag:
 * the worker that writes the vault and the API that reads on-prem configuration from it must agree.
 */
export function vaultKeyPrefix(storePrefix: string | undefined): string {
  return `{${storePrefix || 'fg'}}`;
}

/** Where the API reads a peering's generated on-prem configuration (admins only). */
export interface OnpremConfigSource {
  config(peering: string, format?: OnpremConfigFormat): Promise<string | undefined>;
}

/** Replaces a hash field only while it holds the value read (compare-and-set). */
const EXTEND_SCRIPT = `
if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then
  return redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
end
return 0`;

/**
 * Tunnel keys kept in Redis, sealed with the operator's key: one hash per peering, a field per key
 * rotation. The first writer of a rotation wins (HSETNX), so two workers racing agree on the keys.
 */
export class RedisTunnelKeyVault implements TunnelKeyVault {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly sealer: Sealer,
  ) {}

  async keys(peering: string, rotation: string, count: number): Promise<string[]> {
    const hash = this.key(peering);
    const field = `r:${rotation}`;
    const aad = `${hash}/${field}`;
    const fresh = Array.from({ length: count }, () => newTunnelKey());
    await this.redis.hsetnx(hash, field, this.sealer.seal(aad, JSON.stringify(fresh)));
    const stored = await this.redis.hget(hash, field);
    if (stored === null) throw new Error(`tunnel keys of ${peering} vanished while being written`);
    const keys = JSON.parse(this.sealer.open(aad, stored)) as string[];
    if (keys.length >= count) return keys.slice(0, count);
    // A link that now has more tunnels (AWS ↔ GCP went from two to four) keeps the keys it has and
    // gets new ones for the rest; written only if no other writer extended them first.
    const more = [...keys, ...fresh.slice(keys.length)];
    await this.redis.eval(EXTEND_SCRIPT, 1, hash, field, stored, this.sealer.seal(aad, JSON.stringify(more)));
    return this.keys(peering, rotation, count);
  }

  /**
   * The WireGuard keys of a peering at a key rotation, made from the CSPRNG on first use and kept
   * sealed like the tunnel keys (the first writer wins).
   */
  async wireguardKeys(peering: string, rotation: string): Promise<WireguardLinkKeys> {
    const hash = this.key(peering);
    const field = `wg:${rotation}`;
    const aad = `${hash}/${field}`;
    await this.redis.hsetnx(hash, field, this.sealer.seal(aad, JSON.stringify(newWireguardLinkKeys())));
    const stored = await this.redis.hget(hash, field);
    if (stored === null) throw new Error(`WireGuard keys of ${peering} vanished while being written`);
    return JSON.parse(this.sealer.open(aad, stored)) as WireguardLinkKeys;
  }

  /**
   * Stores a peering's generated on-prem configuration in one format (it holds the keys), sealed;
   * `undefined` removes it (every format when none is named).
   */
  async saveConfig(peering: string, text: string | undefined, format?: OnpremConfigFormat): Promise<void> {
    const hash = this.key(peering);
    if (text === undefined) {
      await this.redis.hdel(hash, ...(format ? [FIELD[format]] : Object.values(FIELD)));
      return;
    }
    const field = FIELD[format ?? 'swanctl'];
    await this.redis.hset(hash, field, this.sealer.seal(`${hash}/${field}`, text));
  }

  /** A peering's on-prem configuration in a format (default swanctl), opened; undefined when it has none. */
  async config(peering: string, format: OnpremConfigFormat = 'swanctl'): Promise<string | undefined> {
    const hash = this.key(peering);
    const field = FIELD[format];
    const sealed = await this.redis.hget(hash, field);
    return sealed === null ? undefined : this.sealer.open(`${hash}/${field}`, sealed);
  }

  async forget(peering: string): Promise<void> {
    await this.redis.del(this.key(peering));
  }

  private key(peering: string): string {
    return `${this.prefix}:peering-keys:${peering}`;
  }
}
