import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import {
  createOnpremAdapter,
  parseSiteFile,
  swanctlConf,
  wireguardConf,
} from '../../../providers/onprem/index.js';
import { hasCharon, startCharon } from '../../support/charon.js';
import { SITE_YAML } from './fixture.js';

const hasWg =
  spawnSync('wg', ['--version']).status === 0 && spawnSync('wg-quick', ['-h']).error === undefined;

describe('on-prem site file', () => {
  it('a bad site file is refused naming the field', async () => {
    const doc = parseYaml(SITE_YAML) as { networks: { cidrs: string[] }[] };
    doc.networks[0]!.cidrs = ['192.168.0.0'];
    expect(() => parseSiteFile(doc)).toThrow(/networks\.0\.cidrs\.0/);
    await expect(
      createOnpremAdapter({ scope: { account: 'x', region: 'y' }, options: {} }),
    ).rejects.toMatchObject({ code: 'Invalid' });
  });
});

describe('on-prem VPN endpoint configuration', () => {
  it('swanctl.conf has a connection and a PSK secret per tunnel', () => {
    const conf = swanctlConf({
      localAddress: '198.51.100.40',
      localCidrs: ['192.168.0.0/16'],
      remoteCidrs: ['10.10.0.0/16'],
      tunnels: [
        { name: 'aws-t1', remoteAddress: '203.0.113.3', sharedKey: 'k.one_12345678' },
        { name: 'aws-t2', remoteAddress: '203.0.113.4', sharedKey: 'k.two_12345678' },
      ],
    });
    expect(conf.match(/version = 2/g)).toHaveLength(2);
    expect(conf).toContain('remote_ts = 10.10.0.0/16');
    expect(conf).toContain('secret = "k.two_12345678"');
    // Balanced braces here; the test below loads it into a real charon.
    expect(conf.split('{').length).toBe(conf.split('}').length);
    expect(() =>
      swanctlConf({
        localAddress: 'a',
        localCidrs: [],
        remoteCidrs: [],
        tunnels: [{ name: 'bad name', remoteAddress: 'b', sharedKey: 'c' }],
      }),
    ).toThrow(/tunnels\.name/);
  });

  it.skipIf(!hasCharon)(
    'a real charon loads the swanctl.conf through swanctl, and refuses a broken one',
    async () => {
      const charon = await startCharon();
      try {
        const conf = swanctlConf({
          localAddress: '198.51.100.40',
          localCidrs: ['192.168.0.0/16'],
          remoteCidrs: ['10.10.0.0/16', '10.11.0.0/16'],
          tunnels: [
            { name: 'aws-t1', remoteAddress: '203.0.113.3', sharedKey: 'k.one_12345678' },
            { name: 'aws-t2', remoteAddress: '203.0.113.4', sharedKey: 'k.two_12345678' },
          ],
        });
        const loaded = await charon.load(conf);
        expect(loaded.output).toContain('successfully loaded 2 connections');
        expect(loaded.code).toBe(0);
        const conns = charon.listConns();
        expect(conns).toMatch(/aws-t1: IKEv2/);
        expect(conns).toMatch(/remote: 10\.10\.0\.0\/16 10\.11\.0\.0\/16/);
        // The check can fail (swanctl 5.9 exits 0 either way, so its words are what count):
        // charon refuses a proposal it does not know, swanctl a file that does not parse.
        const badProposal = await charon.load(
          conf.replace(/esp_proposals = [^\n]+/, 'esp_proposals = aes999-nope'),
        );
        expect(badProposal.output).toContain('invalid value for: esp_proposals');
        expect(badProposal.output).not.toContain('successfully loaded');
        const unbalanced = await charon.load(conf.replace(/\}\s*$/, ''));
        expect(unbalanced.output).toMatch(/syntax error/);
      } finally {
        await charon.close();
      }
    },
  );

  it.skipIf(!hasWg)('the WireGuard file passes wg-quick strip (wireguard-tools)', async () => {
    const key = execFileSync('wg', ['genkey']).toString().trim();
    const peerPub = execFileSync('wg', ['pubkey'], { input: execFileSync('wg', ['genkey']) })
      .toString()
      .trim();
    const conf = wireguardConf({
      privateKey: key,
      address: '10.99.0.1/24',
      listenPort: 51820,
      peers: [
        {
          publicKey: peerPub,
          endpoint: '203.0.113.9:51820',
          allowedIps: ['10.10.0.0/16', '10.99.0.2/32'],
          keepaliveSeconds: 25,
        },
      ],
    });
    const dir = await mkdtemp(join(tmpdir(), 'fedgate-wg-'));
    try {
      const file = join(dir, 'wg-fed0.conf');
      await writeFile(file, conf, { mode: 0o600 });
      const stripped = execFileSync('wg-quick', ['strip', file]).toString();
      expect(stripped).toContain(`PublicKey = ${peerPub}`);
      expect(stripped).not.toContain('Address');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
