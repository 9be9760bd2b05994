import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';

/**
 * Creates a folder readable by its owner only (0700), and tightens one an earlier version left
 * open: the state directory holds tokens, kubeconfigs and Redis' data.
 */
export async function privateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
}

/** Writes a file readable by its owner only (0600), also when it existed with a wider mode. */
export async function writePrivateFile(file: string, body: string): Promise<void> {
  await writeFile(file, body, { mode: 0o600 });
  await chmod(file, 0o600);
}

/** The trimmed content of a private file, made with `make()` (and saved 0600) when missing or empty. */
export async function privateSecret(file: string, make: () => string): Promise<string> {
  const saved = (await readFile(file, 'utf8').catch(() => '')).trim();
  if (saved !== '') {
    await chmod(file, 0o600);
    return saved;
  }
  const secret = make();
  await writePrivateFile(file, `${secret}\n`);
  return secret;
}
