#!/usr/bin/env node
// Entry point of the `fedgate` command. It runs the compiled CLI (dist/, made by `npm run build`)
// when there is one, else the TypeScript sources through tsx, so `npx fedgate` works straight
// after `npm ci` in a fresh clone, before any build.
import { existsSync } from 'node:fs';

// Started by a supervisor over IPC (fedgate up's gateways): end with it, even while still loading
// the sources (seconds on a busy machine). A command that supervises itself replaces this listener
// once it runs (federation/cli/gateway-command.ts).
if (process.send) process.once('disconnect', () => process.exit(0));

const compiled = new URL('../dist/federation/cli/main.js', import.meta.url);
const sources = new URL('../federation/cli/main.ts', import.meta.url);

if (existsSync(compiled)) {
  await import(compiled.href);
} else if (existsSync(sources)) {
  let register;
  try {
    ({ register } = await import('tsx/esm/api'));
  } catch {
    process.stderr.write(
      'error: fedgate is not built and tsx is not installed: run "npm ci" (or "npm run build") in the fedgate folder\n',
    );
    process.exit(3);
  }
  register();
  await import(sources.href);
} else {
  process.stderr.write('error: fedgate is not built: run "npm run build" in the fedgate folder\n');
  process.exit(3);
}
