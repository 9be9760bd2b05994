import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { type SealedKey, sealKey, unsealKey } from './key-seal.js';
import { clusterSpiffeId } from './spiffe.js';
import { type CryptoKey, generateKeyPair, importPrivateKey, KEY_ALG, privateKeyPem, x509 } from './x509.js';

const HOUR = 3_600_000;
/** Default lifetime of a gateway certificate: 24 h. */
export const DEFAULT_GATEWAY_CERT_TTL_MS = 24 * HOUR;
const ROOT_TTL_MS = 10 * 365 * 24 * HOUR;
const INTERMEDIATE_TTL_MS = 365 * 24 * HOUR;
/** Backdating of notBefore, so a peer whose clock runs a little behind accepts a fresh certificate. */
const CLOCK_SKEW_MS = 5 * 60_000;

/** A certificate issued to a gateway: the chain (leaf, intermediate) and the key, as PEM for node:tls. */
export interface IssuedCertificate {
  readonly certChainPem: string;
  readonly keyPem: string;
  readonly spiffeId: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly serialNumber: string;
}

/** One root with its intermediate. A root rotation adds a generation; the old one stays trusted until retired. */
interface Generation {
  readonly generation: number;
  readonly root: x509.X509Certificate;
  readonly rootKey: CryptoKey;
  readonly intermediate: x509.X509Certificate;
  readonly intermediateKey: CryptoKey;
}

/** The CA in a form safe to store: certificates in PEM, keys sealed under the operator key. */
export interface SealedFederationCa {
  readonly federation: string;
  readonly activeGeneration: number;
  readonly generations: readonly {
    readonly generation: number;
    readonly rootPem: string;
    readonly rootKey: SealedKey;
    readonly intermediatePem: string;
    readonly intermediateKey: SealedKey;
  }[];
}

/** Options of a new CA. */
export interface FederationCaProps {
  /** The SPIFFE trust domain, e.g. `fedgate.local`. */
  readonly federation: string;
  readonly now?: () => Date;
}

/**
 * The federation CA: a root and an intermediate per generation; gateways get short-lived leaf
 * certificates from the newest intermediate, with their SPIFFE ID as URI SAN. Its keys live only in
 * private fields; `seal()` is the one way out and encrypts them. Printing or serialising the CA shows
 * certificates only.
 */
export class FederationCa {
  readonly #generations: Generation[] = [];
  #active = 0;
  private readonly now: () => Date;

  private constructor(
    readonly federation: string,
    now: (() => Date) | undefined,
  ) {
    this.now = now ?? (() => new Date());
  }

  /** A new CA with one root and intermediate. */
  static async create(props: FederationCaProps): Promise<FederationCa> {
    clusterSpiffeId(props.federation, 'probe'); // validates the trust domain
    const ca = new FederationCa(props.federation, props.now);
    ca.activateRoot(await ca.addRoot());
    return ca;
  }

  /** Restores a sealed CA; KeySealError with a wrong operator key. */
  static async unseal(
    sealed: SealedFederationCa,
    operatorKey: Buffer,
    now?: () => Date,
  ): Promise<FederationCa> {
    const ca = new FederationCa(sealed.federation, now);
    ca.#active = sealed.activeGeneration;
    for (const g of sealed.generations) {
      ca.#generations.push({
        generation: g.generation,
        root: new x509.X509Certificate(g.rootPem),
        rootKey: await importPrivateKey(
          unsealKey(operatorKey, g.rootKey, aad(sealed.federation, 'root', g.generation)),
        ),
        intermediate: new x509.X509Certificate(g.intermediatePem),
        intermediateKey: await importPrivateKey(
          unsealKey(operatorKey, g.intermediateKey, aad(sealed.federation, 'intermediate', g.generation)),
        ),
      });
    }
    if (ca.#generations.length === 0) throw new Error('the sealed CA has no root');
    return ca;
  }

  /** Encrypts the keys under the operator key (AES-256-GCM, bound to federation, role and generation). */
  async seal(operatorKey: Buffer): Promise<SealedFederationCa> {
    const generations = [];
    for (const g of this.#generations) {
      generations.push({
        generation: g.generation,
        rootPem: g.root.toString('pem'),
        rootKey: sealKey(
          operatorKey,
          await privateKeyPem(g.rootKey),
          aad(this.federation, 'root', g.generation),
        ),
        intermediatePem: g.intermediate.toString('pem'),
        intermediateKey: sealKey(
          operatorKey,
          await privateKeyPem(g.intermediateKey),
          aad(this.federation, 'intermediate', g.generation),
        ),
      });
    }
    return { federation: this.federation, activeGeneration: this.#active, generations };
  }

  /** The generation new certificates are issued from. */
  get activeGeneration(): number {
    return this.active().generation;
  }

  /** Every root still trusted, newest first, as one PEM bundle: what peers verify each other against. */
  trustBundlePem(): string {
    return [...this.#generations]
      .reverse()
      .map((g) => g.root.toString('pem'))
      .join('\n');
  }

  /**
   * Root rotation, step 1: adds a new root generation (root + intermediate) to the trust bundle
   * without issuing from it yet. Once every gateway trusts it, `activateRoot` (step 2) makes new
   * certificates chain to it; `retireRoot` (step 3) drops the old root after every gateway renewed.
   * Peers accept either generation in between, so nothing is refused while gateways roll over.
   */
  async addRoot(): Promise<number> {
    const generation = (this.#generations.at(-1)?.generation ?? 0) + 1;
    const now = this.now();
    const rootKeys = await generateKeyPair();
    const root = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: serial(),
      name: `CN=fedgate root ${generation},O=${this.federation}`,
      notBefore: new Date(now.getTime() - CLOCK_SKEW_MS),
      notAfter: new Date(now.getTime() + ROOT_TTL_MS),
      signingAlgorithm: KEY_ALG,
      keys: rootKeys,
      extensions: [
        new x509.BasicConstraintsExtension(true, 1, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        await x509.SubjectKeyIdentifierExtension.create(rootKeys.publicKey),
      ],
    });
    const intKeys = await generateKeyPair();
    const intermediate = await x509.X509CertificateGenerator.create({
      serialNumber: serial(),
      subject: `CN=fedgate intermediate ${generation},O=${this.federation}`,
      issuer: root.subject,
      notBefore: new Date(now.getTime() - CLOCK_SKEW_MS),
      notAfter: new Date(now.getTime() + INTERMEDIATE_TTL_MS),
      signingAlgorithm: KEY_ALG,
      publicKey: intKeys.publicKey,
      signingKey: rootKeys.privateKey,
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        await x509.SubjectKeyIdentifierExtension.create(intKeys.publicKey),
        await x509.AuthorityKeyIdentifierExtension.create(rootKeys.publicKey),
      ],
    });
    this.#generations.push({
      generation,
      root,
      rootKey: rootKeys.privateKey,
      intermediate,
      intermediateKey: intKeys.privateKey,
    });
    return generation;
  }

  /** Root rotation, step 2: issue new certificates from this generation. */
  activateRoot(generation: number): void {
    if (!this.#generations.some((g) => g.generation === generation))
      throw new Error(`no root generation ${generation}`);
    this.#active = generation;
  }

  /** Drops a root generation from the trust bundle (after every gateway holds a newer certificate). */
  retireRoot(generation: number): void {
    if (generation === this.#active) throw new Error('cannot retire the active root generation');
    const i = this.#generations.findIndex((g) => g.generation === generation);
    if (i >= 0) this.#generations.splice(i, 1);
  }

  /**
   * Issues a gateway certificate for `cluster` (SPIFFE URI SAN, client and server auth) over the
   * caller's public key, so the gateway's private key need not leave the gateway; without one, a
   * key pair is made and returned with the certificate.
   */
  async issueGatewayCertificate(
    cluster: string,
    opts: { ttlMs?: number; publicKey?: CryptoKey } = {},
  ): Promise<IssuedCertificate> {
    const spiffeId = clusterSpiffeId(this.federation, cluster);
    const ttl = opts.ttlMs ?? DEFAULT_GATEWAY_CERT_TTL_MS;
    if (!(ttl > 0)) throw new Error('ttlMs must be positive');
    const g = this.active();
    const keys = opts.publicKey ? undefined : await generateKeyPair();
    const publicKey = opts.publicKey ?? keys!.publicKey;
    const now = this.now();
    const notBefore = new Date(now.getTime() - CLOCK_SKEW_MS);
    const notAfter = new Date(Math.min(now.getTime() + ttl, g.intermediate.notAfter.getTime()));
    const leaf = await x509.X509CertificateGenerator.create({
      serialNumber: serial(),
      subject: `CN=${cluster},O=${this.federation}`,
      issuer: g.intermediate.subject,
      notBefore,
      notAfter,
      signingAlgorithm: KEY_ALG,
      publicKey,
      signingKey: g.intermediateKey,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([
          x509.ExtendedKeyUsage.serverAuth,
          x509.ExtendedKeyUsage.clientAuth,
        ]),
        new x509.SubjectAlternativeNameExtension([{ type: 'url', value: spiffeId }], true),
        await x509.AuthorityKeyIdentifierExtension.create(g.intermediate.publicKey),
      ],
    });
    return {
      certChainPem: `${leaf.toString('pem')}\n${g.intermediate.toString('pem')}\n`,
      keyPem: keys ? await privateKeyPem(keys.privateKey) : '',
      spiffeId,
      notBefore,
      notAfter,
      serialNumber: leaf.serialNumber,
    };
  }

  /** Certificates only: keys never reach logs or JSON. */
  toJSON(): unknown {
    return {
      federation: this.federation,
      activeGeneration: this.#active,
      generations: this.#generations.map((g) => ({
        generation: g.generation,
        root: g.root.subject,
        intermediate: g.intermediate.subject,
      })),
    };
  }

  [inspect.custom](): string {
    return `FederationCa ${JSON.stringify(this.toJSON())}`;
  }

  private active(): Generation {
    const g = this.#generations.find((x) => x.generation === this.#active);
    if (g === undefined) throw new Error('the CA has no active root');
    return g;
  }
}

function serial(): string {
  const b = randomBytes(16);
  b[0] = b[0]! & 0x7f; // positive, as RFC 5280 asks
  return Buffer.from(b).toString('hex');
}

function aad(federation: string, role: string, generation: number): string {
  return `fedgate-ca:${federation}:${role}:${generation}`;
}
