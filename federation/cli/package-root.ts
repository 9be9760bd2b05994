import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** fedgate's own package.json and the folder holding it, found from this file in the sources and in dist/. */
export function fedgatePackage(): { root: string; version: string } | undefined {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const p = join(dir, 'package.json');
    if (existsSync(p)) {
      try {
        const pkg = JSON.parse(readFileSync(p, 'utf8')) as { name?: string; version?: string };
        if (pkg.name === 'fedgate' && pkg.version) return { root: dir, version: pkg.version };
      } catch {
        // keep looking
      }
    }
    if (dirname(dir) === dir) return undefined;
  }
}
