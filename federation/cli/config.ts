import { existsSync, statSync } from 'node:fs';
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { CliError, EXIT } from './errors.js';

/** The name of the state directory looked for in the working directory and its parents. */
export const STATE_DIR_NAME = '.fedgate';
/** The file of the CLI configuration inside the state directory. */
export const CONFIG_FILE_NAME = 'config.json';

/** What the CLI keeps in `config.json`. */
export interface CliConfigFile {
  readonly apiUrl: string;
  readonly token: string;
}

/** Where to look, in order of precedence: flags, environment, the state directory's file. */
export interface ReadCliConfigOptions {
  /** `--state-dir`. */
  readonly stateDir?: string;
  /** `--server`. */
  readonly server?: string;
  /** `--token`. */
  readonly token?: string;
  /** Default `process.env`. */
  readonly env?: NodeJS.ProcessEnv;
  /** Default `process.cwd()`. */
  readonly cwd?: string;
}

/** The resolved configuration. `apiUrl`/`token` are undefined when nothing supplies them. */
export interface CliConfig {
  readonly stateDir: string;
  readonly configFile: string;
  readonly apiUrl: string | undefined;
  readonly token: string | undefined;
}

/**
 * The state directory: `--state-dir`, else `FEDGATE_STATE_DIR`, else the nearest `.fedgate/` in the
 * working directory or a parent (like git), else `.fedgate/` in the working directory.
 */
export function resolveStateDir(opts: Pick<ReadCliConfigOptions, 'stateDir' | 'env' | 'cwd'> = {}): string {
  const env = opts.env ?? process.env;
  const cwd = opts.cwd ?? process.cwd();
  if (opts.stateDir) return resolve(cwd, opts.stateDir);
  if (env.FEDGATE_STATE_DIR) return resolve(cwd, env.FEDGATE_STATE_DIR);
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    const candidate = join(dir, STATE_DIR_NAME);
    if (isDirectory(candidate)) return candidate;
    if (dirname(dir) === dir) break;
  }
  return join(resolve(cwd), STATE_DIR_NAME);
}

/**
 * Reads the CLI configuration: `--server`/`--token`, else `FEDGATE_SERVER`/`FEDGATE_TOKEN`, else
 * `config.json` in the state directory. A malformed file is an error (exit 3) naming it.
 */
export async function readCliConfig(opts: ReadCliConfigOptions = {}): Promise<CliConfig> {
  const env = opts.env ?? process.env;
  const stateDir = resolveStateDir(opts);
  const configFile = join(stateDir, CONFIG_FILE_NAME);
  let file: Partial<CliConfigFile> = {};
  if (existsSync(configFile)) {
    try {
      const parsed: unknown = JSON.parse(await readFile(configFile, 'utf8'));
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
        throw new Error('not an object');
      const p = parsed as Record<string, unknown>;
      file = {
        ...(typeof p.apiUrl === 'string' ? { apiUrl: p.apiUrl } : {}),
        ...(typeof p.token === 'string' ? { token: p.token } : {}),
      };
    } catch (err) {
      throw new CliError(
        EXIT.unreachable,
        `cannot read ${configFile}: ${(err as Error).message} (expected {"apiUrl": "...", "token": "..."})`,
      );
    }
  }
  return {
    stateDir,
    configFile,
    apiUrl: nonEmpty(opts.server) ?? nonEmpty(env.FEDGATE_SERVER) ?? nonEmpty(file.apiUrl),
    token: nonEmpty(opts.token) ?? nonEmpty(env.FEDGATE_TOKEN) ?? nonEmpty(file.token),
  };
}

/**
 * Writes `config.json` in the state directory (created 0700 when missing), readable by the owner
 * only (0600), atomically. Returns the file's path. `fedgate up` calls it with the token it made.
 */
export async function writeCliConfig(stateDir: string, config: CliConfigFile): Promise<string> {
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  const file = join(stateDir, CONFIG_FILE_NAME);
  const tmp = `${file}.${process.pid}.tmp`;
  const body = `${JSON.stringify({ apiUrl: config.apiUrl, token: config.token }, null, 2)}\n`;
  await writeFile(tmp, body, { mode: 0o600 });
  await chmod(tmp, 0o600);
  await rename(tmp, file);
  return file;
}

function nonEmpty(s: string | undefined): string | undefined {
  return s === undefined || s === '' ? undefined : s;
}

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}
