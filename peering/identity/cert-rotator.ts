import type { IssuedCertificate } from './federation-ca.js';

/** What a gateway presents and trusts, as PEM for node:tls. */
export interface TlsMaterial {
  readonly certChainPem: string;
  readonly keyPem: string;
  /** The trust bundle: every root peers' certificates may chain to. */
  readonly caPem: string;
  readonly spiffeId: string;
  readonly notAfter: Date;
}

/** Where a gateway gets certificates and the trust bundle (the CA in-process, or over the API). */
export interface CertificateIssuer {
  /** A fresh certificate for this gateway. */
  issue(): Promise<IssuedCertificate>;
  /** The current trust bundle (PEM roots). */
  trustBundle(): Promise<string>;
}

/** Options of a rotator. */
export interface CertRotatorProps {
  readonly issue: CertificateIssuer;
  /** Renew when this fraction of the lifetime has passed. Default 2/3. */
  readonly renewAtFraction?: number;
  /** Re-read the trust bundle this often even when the certificate is fresh (ms). Default 30,000. */
  readonly bundleRefreshMs?: number;
  readonly onError?: (err: unknown) => void;
}

/**
 * Keeps a gateway's certificate fresh: renews before expiry and calls every listener with the new
 * material, which the gateway applies with `server.setSecureContext` (new handshakes only; open
 * connections go on) and new outbound sessions. A failed renewal is retried with backoff while the
 * old certificate is still valid.
 */
export class CertRotator {
  private material: TlsMaterial | undefined;
  private readonly listeners: ((m: TlsMaterial) => void)[] = [];
  private renewTimer: NodeJS.Timeout | undefined;
  private bundleTimer: NodeJS.Timeout | undefined;
  private failures = 0;
  private stopped = false;
  private inFlight: Promise<void> | undefined;

  constructor(private readonly props: CertRotatorProps) {}

  /** Gets the first certificate and starts the renewal schedule. */
  async start(): Promise<TlsMaterial> {
    await this.rotateNow();
    const every = this.props.bundleRefreshMs ?? 30_000;
    this.bundleTimer = setInterval(() => void this.refreshBundle(), every);
    this.bundleTimer.unref();
    return this.current();
  }

  /** The material in use. */
  current(): TlsMaterial {
    if (this.material === undefined) throw new Error('the rotator has not started');
    return this.material;
  }

  /** Calls `listener` with every new material. */
  onRotate(listener: (m: TlsMaterial) => void): void {
    this.listeners.push(listener);
  }

  /** Renews now (e.g. after a root rotation); concurrent calls share one renewal. */
  rotateNow(): Promise<void> {
    this.inFlight ??= this.renew().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  /** Stops renewing. */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.renewTimer);
    clearInterval(this.bundleTimer);
  }

  private async renew(): Promise<void> {
    const [certificate, trustBundlePem] = await Promise.all([
      this.props.issue.issue(),
      this.props.issue.trustBundle(),
    ]);
    this.failures = 0;
    this.publish({
      certChainPem: certificate.certChainPem,
      keyPem: certificate.keyPem,
      caPem: trustBundlePem,
      spiffeId: certificate.spiffeId,
      notAfter: certificate.notAfter,
    });
    const life = certificate.notAfter.getTime() - certificate.notBefore.getTime();
    const at = certificate.notBefore.getTime() + life * (this.props.renewAtFraction ?? 2 / 3);
    this.schedule(Math.max(0, at - Date.now()));
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    clearTimeout(this.renewTimer);
    // setTimeout overflows past 2^31-1 ms; a long wait is taken in steps.
    this.renewTimer = setTimeout(
      () => {
        this.rotateNow().catch((err) => {
          this.failures++;
          this.props.onError?.(err);
          this.schedule(Math.min(30_000, 500 * 2 ** Math.min(this.failures, 6)));
        });
      },
      Math.min(delayMs, 2 ** 31 - 1),
    );
    this.renewTimer.unref();
  }

  private async refreshBundle(): Promise<void> {
    if (this.stopped || this.material === undefined) return;
    try {
      const trustBundlePem = await this.props.issue.trustBundle();
      if (trustBundlePem !== this.material.caPem) await this.rotateNow();
    } catch (err) {
      this.props.onError?.(err);
    }
  }

  private publish(m: TlsMaterial): void {
    this.material = m;
    for (const l of this.listeners) l(m);
  }
}
