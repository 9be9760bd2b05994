// Builds the dashboard (federation/dashboard) into dist/ui: one content-hashed JS and CSS bundle
// (esbuild), index.html pointing at them, and a .gz beside each file for the server to send.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'federation', 'dashboard');
const out = join(root, 'dist', 'ui');

rmSync(out, { recursive: true, force: true });
const result = await build({
  entryPoints: [join(src, 'src', 'main.tsx')],
  bundle: true,
  minify: true,
  format: 'esm',
  target: ['chrome110', 'firefox110', 'safari16'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  entryNames: '[name]-[hash]',
  outdir: out,
  metafile: true,
  sourcemap: false,
  legalComments: 'none',
  logLevel: 'warning',
});
const files = Object.keys(result.metafile.outputs).map((f) => join(root, f));
const js = files.find((f) => f.endsWith('.js'));
const css = files.find((f) => f.endsWith('.css'));
const html = readFileSync(join(src, 'index.html'), 'utf8')
  .replace('%JS%', `/ui/${basename(js)}`)
  .replace('%CSS%', `/ui/${basename(css)}`);
writeFileSync(join(out, 'index.html'), html);
let total = 0;
for (const f of [join(out, 'index.html'), js, css]) {
  const gz = gzipSync(readFileSync(f), { level: 9 });
  writeFileSync(`${f}.gz`, gz);
  total += gz.length;
}
console.log(`dashboard: dist/ui (${(total / 1024).toFixed(1)} KiB gzipped on first load)`);
