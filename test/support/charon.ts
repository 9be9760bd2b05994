/**
 * A real strongSwan charon daemon for tests, confined to this machine: it uses only the loopback
 * interface (`interfaces_use = lo`), installs no routes, and its vici socket lives in a temporary
 * directory. `load` hands a swanctl.conf to it through `swanctl --load-all`, which is how an
 * operator loads one: swanctl parses the file and charon checks every connection, proposal and
 * secret in it. Connections are loaded with `start_action = none`, so nothing is ever initiated.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from './wait-for.js';

const CHARON = '/usr/lib/ipsec/charon';

/** True when charon and swanctl are installed (Debian: strongswan-charon, strongswan-swanctl). */
export const hasCharon = existsSync(CHARON) && spawnSync('swanctl', ['--version']).error === undefined;

/** A running charon and what swanctl said when loading into it. */
export interface Charon {
  /** Loads a swanctl.conf (start actions forced to none); the exit code and what swanctl printed. */
  load(conf: string): Promise<{ code: number; output: string }>;
  /** swanctl --list-conns. */
  listConns(): string;
  close(): Promise<void>;
}

/** Starts charon in a temporary directory and waits for its vici socket. */
export async function startCharon(): Promise<Charon> {
  const dir = await mkdtemp(join(tmpdir(), 'fedgate-charon-'));
  const socket = join(dir, 'charon.vici');
  const conf = join(dir, 'strongswan.conf');
  await writeFile(
    conf,
    `charon {
  load_modular = no
  load = random nonce openssl pem pkcs1 x509 revocation constraints pubkey socket-default kernel-netlink vici
  interfaces_use = lo
  install_routes = no
  install_virtual_ip = no
  port = 0
  port_nat_t = 0
  piddir = ${dir}
  plugins { vici { socket = unix://${socket} } }
}
`,
  );
  const env = { ...process.env, STRONGSWAN_CONF: conf };
  const child: ChildProcess = spawn(CHARON, [], { env, stdio: 'ignore' });
  await waitFor('the charon vici socket', () => existsSync(socket), 10_000);
  const swanctl = (args: string[]) =>
    spawnSync('swanctl', [...args, '--uri', `unix://${socket}`], { env, encoding: 'utf8' });
  return {
    async load(text) {
      const file = join(dir, 'swanctl.conf');
      await writeFile(file, text.replaceAll(/start_action = \w+/g, 'start_action = none'), { mode: 0o600 });
      const r = swanctl(['--load-all', '--noprompt', '--file', file]);
      const output = `${r.stdout}${r.stderr}`
        .split('\n')
        .filter((l) => !/^(plugin '|opening directory)/.test(l))
        .join('\n');
      return { code: r.status ?? -1, output };
    },
    listConns: () => swanctl(['--list-conns']).stdout,
    async close() {
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode !== null ? r(undefined) : child.once('exit', r)));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
