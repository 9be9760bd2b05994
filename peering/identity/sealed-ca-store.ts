import type { Redis } from 'ioredis';
import { FederationCa, type SealedFederationCa } from './federation-ca.js';

/**
 * The federation CA kept in the control plane's Redis, sealed (keys encrypted under the operator
 * key, AES-256-GCM): key `<prefix>:peering:ca`, a JSON SealedFederationCa. The first process to
 * need it creates it (SET NX, so two starting at once agree on one CA).
 */
export async function loadOrCreateCa(
  redis: Redis,
  prefix: string,
  federation: string,
  operatorKey: Buffer,
): Promise<FederationCa> {
  const key = `${prefix}:peering:ca`;
  const existing = await redis.get(key);
  if (existing !== null) return FederationCa.unseal(JSON.parse(existing) as SealedFederationCa, operatorKey);
  const ca = await FederationCa.create({ federation });
  const created = await redis.set(key, JSON.stringify(await ca.seal(operatorKey)), 'NX');
  if (created === 'OK') return ca;
  return loadOrCreateCa(redis, prefix, federation, operatorKey);
}

/** Stores the CA after a root rotation step (addRoot, activateRoot, retireRoot). */
export async function saveCa(
  redis: Redis,
  prefix: string,
  ca: FederationCa,
  operatorKey: Buffer,
): Promise<void> {
  await redis.set(`${prefix}:peering:ca`, JSON.stringify(await ca.seal(operatorKey)));
}
