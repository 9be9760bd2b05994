import { execFileSync, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  newWireguardKeyPair,
  newWireguardLinkKeys,
  wireguardPublicKey,
} from '../../../peering/orchestrate/wireguard-keys.js';

const hasWg = spawnSync('wg', ['--version']).status === 0;

describe('WireGuard keys from node:crypto', () => {
  it.skipIf(!hasWg)('agree with wg pubkey, both ways', () => {
    const ours = newWireguardKeyPair();
    expect(Buffer.from(ours.privateKey, 'base64')).toHaveLength(32);
    expect(execFileSync('wg', ['pubkey'], { input: ours.privateKey }).toString().trim()).toBe(ours.publicKey);
    const theirs = execFileSync('wg', ['genkey']).toString().trim();
    expect(wireguardPublicKey(theirs)).toBe(
      execFileSync('wg', ['pubkey'], { input: theirs }).toString().trim(),
    );
  });

  it('are fresh every time and refuse a key that is not 32 bytes', () => {
    const a = newWireguardLinkKeys();
    const b = newWireguardLinkKeys();
    expect(new Set([a.sitePrivateKey, a.gatewayPrivateKey, b.sitePrivateKey, b.gatewayPrivateKey]).size).toBe(
      4,
    );
    expect(a.presharedKey).not.toBe(b.presharedKey);
    expect(Buffer.from(a.presharedKey, 'base64')).toHaveLength(32);
    expect(() => wireguardPublicKey('c2hvcnQ=')).toThrow(/32 bytes/);
  });
});
