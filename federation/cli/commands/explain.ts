import { type Command, Option } from 'commander';
import { usageError } from '../errors.js';
import { renderExplanation } from '../output/explain.js';
import { field, toJson, toYaml } from '../output/format.js';
import {
  addClientOptions,
  type ClientOptions,
  clientFor,
  kindAndNames,
  type NamespaceOptions,
  namespaceFor,
  out,
} from './common.js';

/** `fedgate explain KIND/NAME` or `explain KIND NAME`. */
export function registerExplain(program: Command): void {
  const cmd = program
    .command('explain')
    .description(
      "Explain a template's placement: the winning policy and each cluster's verdict, scores and replicas",
    )
    .argument('<kind>', 'KIND/NAME, or KIND followed by NAME')
    .argument('[name]', 'template name')
    .option('-n, --namespace <ns>', 'namespace of the template (default: default)')
    .addOption(
      new Option('-o, --output <format>', 'output format').choices(['text', 'json', 'yaml']).default('text'),
    )
    .action(
      async (
        kindArg: string,
        nameArg: string | undefined,
        opts: ClientOptions & NamespaceOptions & { output: string },
      ) => {
        const { kind, names } = kindAndNames(nameArg === undefined ? [kindArg] : [kindArg, nameArg]);
        if (names.length !== 1) throw usageError('explain takes one template: KIND/NAME or KIND NAME');
        const client = await clientFor(opts);
        const binding = await client.explain(kind.typeKey, namespaceFor(kind, opts), names[0]!);
        const explanation = field(binding, 'status', 'explanation') ?? null;
        if (opts.output === 'json') out(toJson(explanation));
        else if (opts.output === 'yaml') out(toYaml(explanation));
        else out(renderExplanation(binding));
      },
    );
  addClientOptions(cmd);
}
