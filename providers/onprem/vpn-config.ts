/**
 * Configuration an on-prem VPN endpoint needs to reach a cloud VPN: strongSwan `swanctl.conf`
 * (IKEv2, PSK, one connection per tunnel) and a WireGuard interface file. Pure text rendering;
 * keys come from the caller and are written only into the returned configuration.
 */

/** One IPsec tunnel to a cloud gateway address. */
export interface IpsecTunnel {
  readonly name: string;
  readonly remoteAddress: string;
  readonly sharedKey: string;
}

/** An IPsec site-to-site setup from this site's endpoint. */
export interface SwanctlSpec {
  readonly localAddress: string;
  readonly localCidrs: readonly string[];
  readonly remoteCidrs: readonly string[];
  readonly tunnels: readonly IpsecTunnel[];
}

/** Renders `swanctl.conf`: a connection and a PSK secret per tunnel. */
export function swanctlConf(spec: SwanctlSpec): string {
  const name = (s: string) => {
    if (!/^[A-Za-z0-9_-]+$/.test(s)) throw new Error(`tunnels.name: ${s} must be letters, digits, - and _`);
    return s;
  };
  const conns = spec.tunnels
    .map(
      (t) => `  ${name(t.name)} {
    version = 2
    local_addrs = ${spec.localAddress}
    remote_addrs = ${t.remoteAddress}
    proposals = aes256-sha256-modp2048
    local {
      auth = psk
      id = ${spec.localAddress}
    }
    remote {
      auth = psk
      id = ${t.remoteAddress}
    }
    children {
      ${t.name}-net {
        local_ts = ${spec.localCidrs.join(',')}
        remote_ts = ${spec.remoteCidrs.join(',')}
        esp_proposals = aes256-sha256-modp2048
        start_action = start
        dpd_action = restart
      }
    }
  }`,
    )
    .join('\n');
  const secrets = spec.tunnels
    .map(
      (t) => `  ike-${t.name} {
    id-1 = ${spec.localAddress}
    id-2 = ${t.remoteAddress}
    secret = "${t.sharedKey.replace(/["\\]/g, (c) => `\\${c}`)}"
  }`,
    )
    .join('\n');
  return `connections {\n${conns}\n}\n\nsecrets {\n${secrets}\n}\n`;
}

/** A WireGuard interface and its peers. */
export interface WireguardSpec {
  readonly privateKey: string;
  readonly address: string;
  readonly listenPort?: number;
  readonly peers: readonly {
    readonly publicKey: string;
    /** `wg genpsk`-style symmetric key (base64, 32 bytes). */
    readonly presharedKey?: string;
    readonly endpoint?: string;
    readonly allowedIps: readonly string[];
    readonly keepaliveSeconds?: number;
  }[];
}

/** Renders a wg-quick interface file. */
export function wireguardConf(spec: WireguardSpec): string {
  const lines = ['[Interface]', `PrivateKey = ${spec.privateKey}`, `Address = ${spec.address}`];
  if (spec.listenPort !== undefined) lines.push(`ListenPort = ${spec.listenPort}`);
  for (const p of spec.peers) {
    lines.push('', '[Peer]', `PublicKey = ${p.publicKey}`);
    if (p.presharedKey) lines.push(`PresharedKey = ${p.presharedKey}`);
    lines.push(`AllowedIPs = ${p.allowedIps.join(', ')}`);
    if (p.endpoint) lines.push(`Endpoint = ${p.endpoint}`);
    if (p.keepaliveSeconds !== undefined) lines.push(`PersistentKeepalive = ${p.keepaliveSeconds}`);
  }
  return `${lines.join('\n')}\n`;
}
