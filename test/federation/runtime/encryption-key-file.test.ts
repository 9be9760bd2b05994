import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ensureEncryptionConfig,
  loadEncryptionConfig,
} from '../../../federation/runtime/encryption-key-file.js';

describe('the key file fedgate up keeps', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fedgate-keyfile-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('is created 0600 with one fresh AES-256 key, and kept as it is on the next start', async () => {
    const path = await ensureEncryptionConfig(dir);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    const first = await readFile(path, 'utf8');
    const config = await loadEncryptionConfig(path);
    expect(config.writeKey).toMatch(/^key-\d{14}$/);
    expect(config.keys.get(config.writeKey!)).toHaveLength(32);
    expect(config.readsPlaintext).toBe(true);
    expect(await ensureEncryptionConfig(dir)).toBe(path);
    expect(await readFile(path, 'utf8')).toBe(first);
  });

  it('warns when others may read the keys, and names a missing file', async () => {
    const path = join(dir, 'open.yaml');
    await writeFile(path, await readFile(await ensureEncryptionConfig(dir), 'utf8'), { mode: 0o644 });
    let out = '';
    const log = pino({ level: 'warn' }, { write: (s: string) => (out += s) });
    await loadEncryptionConfig(path, log);
    expect(out).toMatch(/readable by other users; chmod 600/);
    await expect(loadEncryptionConfig(join(dir, 'none.yaml'))).rejects.toThrow(/none\.yaml: ENOENT/);
  });
});
