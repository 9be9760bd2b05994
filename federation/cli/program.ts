import { Command, CommanderError } from 'commander';
import { registerApply } from './commands/apply.js';
import { registerDelete } from './commands/delete.js';
import { registerDescribe } from './commands/describe.js';
import { registerExplain } from './commands/explain.js';
import { registerGet } from './commands/get.js';
import { registerPlan } from './commands/plan.js';
import { registerSimulate } from './commands/simulate.js';
import { registerToken } from './commands/token.js';
import { registerTop } from './commands/top.js';
import { EXIT, EXIT_CODES_HELP, reportError } from './errors.js';
import { fedgatePackage } from './package-root.js';

const HELP_FOOTER = `
Configuration: the API URL and token come from --server/--token, else FEDGATE_SERVER/FEDGATE_TOKEN,
else config.json in the state directory (--state-dir, FEDGATE_STATE_DIR, or the nearest .fedgate/),
which "fedgate up" writes.

${EXIT_CODES_HELP}`;

/** The client commands, which need none of the process machinery. */
const CLIENT_COMMANDS = new Set([
  'apply',
  'get',
  'describe',
  'delete',
  'explain',
  'simulate',
  'token',
  'top',
  'plan',
]);

/**
 * Builds the `fedgate` program: the client commands and the process commands (`server`, `worker`,
 * `up`). The process commands pull in the whole control plane (queues, SDKs), so they are loaded
 * only when `argv` does not name a client command: `fedgate get` stays quick.
 */
export async function buildProgram(argv: readonly string[] = []): Promise<Command> {
  const program = new Command('fedgate')
    .description('fedgate: place Kubernetes workloads across clusters on-prem and in AWS, GCP and Azure')
    .version(fedgatePackage()?.version ?? '0.0.0', '-V, --version')
    .exitOverride()
    .showHelpAfterError('(add --help for usage)')
    .addHelpText('after', HELP_FOOTER);
  registerApply(program);
  registerGet(program);
  registerDescribe(program);
  registerDelete(program);
  registerExplain(program);
  registerSimulate(program);
  registerToken(program);
  registerTop(program);
  registerPlan(program);
  const first = argv.find((a) => !a.startsWith('-'));
  if (first === 'gateway') {
    // A gateway process loads only what it runs (no worker, no cloud SDKs): it starts fast.
    const { registerGatewayCommand } = await import('./gateway-command.js');
    registerGatewayCommand(program);
  } else if (first === undefined || !CLIENT_COMMANDS.has(first)) {
    try {
      const { registerProcessCommands } = await import('./process-commands.js');
      registerProcessCommands(program);
    } catch (err) {
      // A broken process side must not take the client commands down with it.
      process.stderr.write(
        `warning: the server/worker/up commands are unavailable: ${(err as Error).message}\n`,
      );
    }
  }
  return program;
}

/** Runs the program on `argv` and gives the exit code (see EXIT). */
export async function runCli(argv: readonly string[]): Promise<number> {
  let program: Command;
  try {
    program = await buildProgram(argv);
  } catch (err) {
    return reportError(err);
  }
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version end "with an error" too; usage problems were already printed by commander.
      return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    return reportError(err);
  }
}
