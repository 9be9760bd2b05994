import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The providers' published example payloads (shared/provider-examples): $FEDGATE_PROVIDER_EXAMPLES,
 * else the first `shared/provider-examples` found walking up from the repository root (../shared in
 * /work/main, a copy of shared/ beside the clone in CI).
 */
export function providerExamplesDir(): string | undefined {
  const fromEnv = process.env.FEDGATE_PROVIDER_EXAMPLES;
  if (fromEnv) return existsSync(fromEnv) ? fromEnv : undefined;
  let dir = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
  for (;;) {
    const candidate = join(dir, 'shared', 'provider-examples');
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** Reads one example file (`aws/DescribeVpcs.botocore.xml`). */
export function readProviderExample(relative: string): Promise<string> {
  const dir = providerExamplesDir();
  if (!dir) throw new Error('provider examples not found: set FEDGATE_PROVIDER_EXAMPLES');
  return readFile(join(dir, relative), 'utf8');
}

/** Reads one example file synchronously (`gcp/error.notFound.libcloud-fixture.json`). */
export function readProviderExampleSync(relative: string): string {
  const dir = providerExamplesDir();
  if (!dir) throw new Error('provider examples not found: set FEDGATE_PROVIDER_EXAMPLES');
  return readFileSync(join(dir, relative), 'utf8');
}

/** Element paths of an XML document (`DescribeVpcsResponse/vpcSet/item/vpcId`), root namespace ignored. */
export function xmlPaths(xml: string): Set<string> {
  const paths = new Set<string>();
  const stack: string[] = [];
  for (const m of xml.matchAll(/<(\/?)([A-Za-z_][\w.:-]*)[^>]*?(\/?)>/g)) {
    const [, closing, name, selfClosing] = m;
    if (closing) {
      stack.pop();
      continue;
    }
    stack.push(name!);
    paths.add(stack.join('/'));
    if (selfClosing) stack.pop();
  }
  return paths;
}
