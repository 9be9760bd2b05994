import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes } from 'node:crypto';

/** The keys of one WireGuard link: a keypair per end and a pre-shared key, base64 as `wg` prints them. */
export interface WireguardLinkKeys {
  /** The on-prem site's private key (its public key is derived). */
  readonly sitePrivateKey: string;
  /** The private key of the end beside the cloud cluster's east-west gateway. */
  readonly gatewayPrivateKey: string;
  /** A symmetric key mixed into the handshake (`wg genpsk`): post-quantum margin. */
  readonly presharedKey: string;
}

/** An X25519 keypair from the CSPRNG, as `wg genkey | tee priv | wg pubkey` gives it (32 bytes each, base64). */
export function newWireguardKeyPair(): { privateKey: string; publicKey: string } {
  const { privateKey, publicKey } = generateKeyPairSync('x25519');
  // PKCS#8 and SPKI DER of X25519 end with the 32 raw key bytes.
  const priv = privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(-32);
  const pub = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
  return { privateKey: priv.toString('base64'), publicKey: pub.toString('base64') };
}

/** The public key of a base64 X25519 private key (`wg pubkey`). */
export function wireguardPublicKey(privateKeyB64: string): string {
  const raw = Buffer.from(privateKeyB64, 'base64');
  if (raw.length !== 32) throw new Error('a WireGuard private key is 32 bytes in base64');
  // Wrap the raw key in its PKCS#8 DER header to import it.
  const der = Buffer.concat([Buffer.from('302e020100300506032b656e04220420', 'hex'), raw]);
  const pub = createPublicKey(createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }));
  return pub.export({ format: 'der', type: 'spki' }).subarray(-32).toString('base64');
}

/** Fresh keys for a WireGuard link. */
export function newWireguardLinkKeys(): WireguardLinkKeys {
  return {
    sitePrivateKey: newWireguardKeyPair().privateKey,
    gatewayPrivateKey: newWireguardKeyPair().privateKey,
    presharedKey: randomBytes(32).toString('base64'),
  };
}
