/**
 * Who uses a shared VPN gateway. A network has one VPN gateway (AWS attaches one virtual private
 * gateway to a VPC, Azure one VPN gateway to a VNet's GatewaySubnet; GCP's HA VPN gateway is shared
 * for the same reasons of cost), so every link of that network uses it. A link claims the gateway
 * before it is created and gives its claim up when it is deleted or rolled back; the gateway is
 * deleted only by the link that gives up the last claim. Claiming and creating, and giving up and
 * deleting, happen under the gateway's own lock, so a link being set up and a link being removed
 * never see each other half-way. Because the claim is written before the create, a crash at any
 * point leaves at worst a claim for a gateway not (yet) made, never a used gateway without one.
 */

/** The claims on shared VPN gateways, keyed by the gateway's name (unique per network). */
export interface GatewayClaims {
  /** Runs `work` while no other link claims, creates, releases or deletes this gateway. */
  exclusive<T>(gateway: string, work: () => Promise<T>, signal?: AbortSignal): Promise<T>;
  /** Records that `link` uses the gateway (idempotent). */
  claim(gateway: string, link: string): Promise<void>;
  /** Removes `link`'s claim (idempotent); resolves with the links that still claim the gateway. */
  release(gateway: string, link: string): Promise<string[]>;
}

/**
 * Claims kept in this process: for one process that runs every link itself (tests, benches, a
 * single-process demo). Workers sharing a Redis use the Redis-backed claims of the peering
 * controller, which survive the process.
 */
export class InProcessGatewayClaims implements GatewayClaims {
  readonly #users = new Map<string, Set<string>>();
  readonly #locks = new Map<string, Promise<unknown>>();

  async exclusive<T>(gateway: string, work: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const before = this.#locks.get(gateway) ?? Promise.resolve();
    const run = before
      .catch(() => undefined)
      .then(() => {
        signal?.throwIfAborted();
        return work();
      });
    const tail = run.catch(() => undefined);
    this.#locks.set(gateway, tail);
    try {
      return await run;
    } finally {
      if (this.#locks.get(gateway) === tail) this.#locks.delete(gateway);
    }
  }

  async claim(gateway: string, link: string): Promise<void> {
    const users = this.#users.get(gateway) ?? new Set<string>();
    users.add(link);
    this.#users.set(gateway, users);
  }

  async release(gateway: string, link: string): Promise<string[]> {
    const users = this.#users.get(gateway);
    users?.delete(link);
    if (users?.size === 0) this.#users.delete(gateway);
    return [...(users ?? [])].sort();
  }

  /** The links that claim a gateway now (for tests and diagnostics). */
  users(gateway: string): string[] {
    return [...(this.#users.get(gateway) ?? [])].sort();
  }
}
