import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { createLogger } from '../runtime/logger.js';
import { privateDir } from '../runtime/private-files.js';
import { keepSdksOffTheNetwork } from '../runtime/sdk-env.js';
import { type UpSystem, up } from '../runtime/up.js';
import { STATE_DIR_NAME } from './config.js';
import { fedgatePackage } from './package-root.js';
import { untilStopped } from './until-stopped.js';

/** Registers `fedgate up`: the whole system on an embedded local fleet, in the foreground. */
export function registerUpCommand(program: Command): void {
  program
    .command('up')
    .description(
      'start Redis (unless REDIS_URL is set), a simulated fleet, the API and a worker; apply the examples; Ctrl-C stops it all',
    )
    .option('--state-dir <dir>', 'where Redis data, kubeconfig, CLI config and logs live', STATE_DIR_NAME)
    .option('--port <port>', 'API port (0 = any free port)', '7070')
    .option(
      '-f, --filename <path...>',
      'policies and apps to apply once the fleet is up (default: the examples shipped with fedgate)',
    )
    .option('--no-examples', 'apply nothing')
    .option('--wait <seconds>', 'how long to wait for the apps to be placed', '60')
    .action(
      async (o: { stateDir: string; port: string; filename?: string[]; examples: boolean; wait: string }) => {
        keepSdksOffTheNetwork();
        const stateDir = resolve(process.env.FEDGATE_STATE_DIR ?? o.stateDir);
        const port = Number(o.port);
        if (!Number.isInteger(port) || port < 0 || port > 65_535)
          throw new Error(`--port must be 0-65535, got "${o.port}"`);
        // Before the logger, whose file would otherwise create the directory with the default mode.
        await privateDir(stateDir);
        const logFile = join(stateDir, 'fedgate.log');
        const log = createLogger({ file: logFile });
        const started = Date.now();
        const print = (line: string) => process.stdout.write(`${line}\n`);
        print(`fedgate up — state in ${stateDir}`);
        // Ctrl-C is honoured from the first moment: during start-up it aborts and undoes what started.
        const abort = new AbortController();
        let startup: Promise<UpSystem> | undefined;
        const stopped = untilStopped(async ({ signal, err }) => {
          if (err) print(`error: ${err.message}`);
          print(`\nstopping (${signal ?? 'exit'})…`);
          abort.abort();
          const running = await startup?.catch(() => undefined);
          await running?.close();
          print('stopped.');
        }, 15_000);
        startup = up({
          stateDir,
          ...(process.env.REDIS_URL ? { redisUrl: process.env.REDIS_URL } : {}),
          port,
          apply: o.examples ? (o.filename ?? defaultExamples()) : [],
          log,
          progress: print,
          waitMs: Number(o.wait) * 1000,
          signal: abort.signal,
        });
        let system: UpSystem;
        try {
          system = await startup;
        } catch (err) {
          if (!abort.signal.aborted) throw err;
          return stopped;
        }
        print('');
        print(`fedgate is up in ${((Date.now() - started) / 1000).toFixed(1)} s`);
        print(`  API          ${system.apiUrl}  (token in ${system.configFile})`);
        print(`  kubeconfig   ${system.kubeconfig}  (contexts: ${system.clusters.join(', ')})`);
        print(`  logs         ${logFile}`);
        if (system.fleetControlUrl)
          print(
            `  fleet faults ${system.fleetControlUrl}/clusters  (PUT /clusters/NAME/faults {"down":true}; token in ${system.fleetTokenFile})`,
          );
        print('');
        print('Try:');
        print('  npx fedgate get clusters');
        print('  npx fedgate get bindings -A');
        print('  npx fedgate explain deployment/storefront -n shop');
        print(
          `  kubectl --kubeconfig ${system.kubeconfig} --context ${system.clusters[1] ?? system.clusters[0]} get deploy -A`,
        );
        if (system.fleetControlUrl)
          print(
            `  curl -X PUT -H "Authorization: Bearer $(cat ${system.fleetTokenFile})" -H 'Content-Type: application/json' -d '{"down":true}' ${system.fleetControlUrl}/clusters/${system.clusters[1] ?? system.clusters[0]}/faults`,
          );
        print('');
        print('Ctrl-C stops everything.');
        await stopped;
      },
    );
}

/** The sample policies and apps in fedgate's own examples/ folder. */
function defaultExamples(): string[] {
  const root = fedgatePackage()?.root;
  return root ? [join(root, 'examples')] : [];
}
