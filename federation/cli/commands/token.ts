import { type Command, Option } from 'commander';
import { ROLE_HELP, ROLES } from '../../auth/roles.js';
import type { TokenInfo } from '../../auth/token-store.js';
import { age, renderTable, toJson } from '../output/format.js';
import { addClientOptions, type ClientOptions, clientFor, collect, err, out } from './common.js';

const ROLES_HELP = ROLES.map((r) => `  ${r.padEnd(9)} ${ROLE_HELP[r]}`).join('\n');

/** `fedgate token create|list|revoke`: named API tokens with roles (admin only). */
export function registerToken(program: Command): void {
  const token = program
    .command('token')
    .description('Manage named API tokens with roles (needs an admin token)')
    .addHelpText('after', `\nRoles:\n${ROLES_HELP}`);

  const create = token
    .command('create')
    .description('Make a token; prints it on stdout, the only time it is shown')
    .argument('<name>', 'token name, a DNS label (e.g. app-shop)')
    .addOption(new Option('--role <role>', 'what the token may do').choices([...ROLES]).makeOptionMandatory())
    .option('-n, --namespace <ns>', 'for role app: a namespace it works in; repeatable', collect, [])
    .option('--cluster <name>', 'for role gateway: the member cluster whose gateway uses it')
    .action(
      async (name: string, opts: ClientOptions & { role: string; namespace: string[]; cluster?: string }) => {
        const client = await clientFor(opts);
        const made = await client.createToken({
          name,
          role: opts.role,
          ...(opts.namespace.length > 0 ? { namespaces: opts.namespace } : {}),
          ...(opts.cluster === undefined ? {} : { cluster: opts.cluster }),
        });
        err(`token ${made.name} created (${describe(made)}); it is shown only now:\n`);
        out(`${made.token}\n`);
      },
    );
  addClientOptions(create);

  const list = token
    .command('list')
    .description('List the named tokens (never their values)')
    .addOption(
      new Option('-o, --output <format>', 'output format').choices(['table', 'json']).default('table'),
    )
    .action(async (opts: ClientOptions & { output: 'table' | 'json' }) => {
      const { items } = await (await clientFor(opts)).listTokens();
      if (opts.output === 'json') return out(toJson({ items }));
      if (items.length === 0) return err('No named tokens.\n');
      out(
        renderTable<TokenInfo>(
          [
            { header: 'NAME', value: (t) => t.name },
            { header: 'ROLE', value: (t) => t.role },
            { header: 'NAMESPACES', value: (t) => (t.namespaces.length > 0 ? t.namespaces.join(',') : '*') },
            { header: 'CLUSTER', value: (t) => t.cluster ?? '*' },
            { header: 'AGE', value: (t) => age(t.createdAt) },
          ],
          items,
        ),
      );
    });
  addClientOptions(list);

  const revoke = token
    .command('revoke')
    .description('Revoke a token: it stops working at once')
    .argument('<name>', 'token name')
    .action(async (name: string, opts: ClientOptions) => {
      const revoked = await (await clientFor(opts)).revokeToken(name);
      out(`token ${revoked.name} revoked\n`);
    });
  addClientOptions(revoke);
}

function describe(t: TokenInfo): string {
  const cluster = t.cluster === undefined ? '' : `, cluster ${t.cluster}`;
  return `role ${t.role}${t.namespaces.length > 0 ? `, namespaces ${t.namespaces.join(', ')}` : ''}${cluster}`;
}
