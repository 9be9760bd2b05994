import { type Command, Option } from 'commander';
import type { PeeringPlan } from '../../../peering/plan/types.js';
import { usageError } from '../errors.js';
import { toJson, toYaml } from '../output/format.js';
import { renderPeeringPlan } from '../output/peering-plan.js';
import { addClientOptions, type ClientOptions, clientFor, out } from './common.js';

/** `fedgate plan peering [--policy NAME]`: the links the fleet needs, why, and what they cost. */
export function registerPlan(program: Command): void {
  const cmd = program
    .command('plan')
    .description(
      'Plan without changing anything: `plan peering` prints the links the fleet needs and their cost',
    )
    .argument('<what>', 'what to plan: peering')
    .option('--policy <name>', "plan a PeeringPolicy's clusters with its settings (default: every cluster)")
    .addOption(
      new Option('-o, --output <format>', 'output format').choices(['text', 'json', 'yaml']).default('text'),
    )
    .action(async (what: string, opts: ClientOptions & { policy?: string; output: string }) => {
      if (what !== 'peering') throw usageError(`plan ${what}: only "plan peering" exists`);
      const client = await clientFor(opts);
      const query = opts.policy ? `?policy=${encodeURIComponent(opts.policy)}` : '';
      const plan = await client.call<PeeringPlan>('GET', `/api/v1/plan/peering${query}`);
      if (opts.output === 'json') out(toJson(plan));
      else if (opts.output === 'yaml') out(toYaml(plan));
      else out(renderPeeringPlan(plan));
    });
  addClientOptions(cmd);
}
