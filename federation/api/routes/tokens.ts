import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ROLES } from '../../auth/roles.js';
import type { TokenStore } from '../../auth/token-store.js';
import { FedgateError } from '../../errors/fedgate-error.js';
import { labelNameSchema } from '../../resources/names.js';
import { authorize } from '../auth.js';
import { errorBodySchema } from '../errors.js';

/** Options of the token routes. */
export interface TokenRoutesProps {
  readonly tokens: TokenStore;
}

const tokenInfoSchema = z
  .object({
    name: z.string(),
    role: z.enum(ROLES),
    namespaces: z.array(z.string()).readonly(),
    cluster: z.string().optional(),
    createdAt: z.string(),
  })
  .meta({ id: 'TokenInfo' });

const createTokenSchema = z
  .object({
    name: labelNameSchema.describe('a DNS label, e.g. app-shop'),
    role: z.enum(ROLES),
    namespaces: z.array(labelNameSchema).max(100).optional().describe('for role app: its namespaces'),
    cluster: labelNameSchema.optional().describe('for role gateway: the member cluster whose gateway it is'),
  })
  .strict()
  .meta({ id: 'CreateToken' });

const errors = { 400: errorBodySchema, 403: errorBodySchema, 404: errorBodySchema, 409: errorBodySchema };

/**
 * Named tokens with roles (admin only): `GET /tokens`, `POST /tokens` (answers the token, the only
 * time it is shown), `DELETE /tokens/:name`.
 */
export const tokenRoutes: FastifyPluginAsyncZod<TokenRoutesProps> = async (app, { tokens }) => {
  app.get(
    '/tokens',
    {
      schema: {
        summary: 'List named tokens (never their values)',
        tags: ['tokens'],
        response: { 200: z.object({ items: z.array(tokenInfoSchema) }), ...errors },
      },
    },
    async (req) => {
      authorize(req, { verb: 'manage tokens' });
      return { items: await tokens.list() };
    },
  );

  app.post(
    '/tokens',
    {
      schema: {
        summary: 'Create a named token with a role; the answer holds the token, shown this once',
        tags: ['tokens'],
        body: createTokenSchema,
        response: { 201: tokenInfoSchema.extend({ token: z.string() }), ...errors },
      },
    },
    async (req, reply) => {
      authorize(req, { verb: 'manage tokens' });
      const { name, role } = req.body;
      const namespaces = [...new Set(req.body.namespaces ?? [])].sort();
      if (role === 'app' && namespaces.length === 0) {
        throw new FedgateError('BadRequest', 'namespaces: role app needs at least one namespace', [
          { path: 'namespaces', message: 'role app needs at least one namespace' },
        ]);
      }
      if (role !== 'app' && namespaces.length > 0) {
        throw new FedgateError(
          'BadRequest',
          `namespaces: only role app is scoped to namespaces (${role} sees all)`,
          [{ path: 'namespaces', message: `only role app is scoped to namespaces` }],
        );
      }
      const { cluster } = req.body;
      if ((role === 'gateway') !== (cluster !== undefined)) {
        const message =
          role === 'gateway'
            ? 'role gateway needs the cluster it serves'
            : 'only role gateway names a cluster';
        throw new FedgateError('BadRequest', `cluster: ${message}`, [{ path: 'cluster', message }]);
      }
      return reply
        .code(201)
        .send(await tokens.create({ name, role, namespaces, ...(cluster === undefined ? {} : { cluster }) }));
    },
  );

  app.delete(
    '/tokens/:name',
    {
      schema: {
        summary: 'Revoke a named token: it stops working at once',
        tags: ['tokens'],
        params: z.object({ name: z.string() }),
        response: { 200: tokenInfoSchema, ...errors },
      },
    },
    async (req) => {
      authorize(req, { verb: 'manage tokens' });
      return tokens.revoke(req.params.name);
    },
  );
};
