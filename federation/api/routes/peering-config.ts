import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { FedgateError } from '../../errors/fedgate-error.js';
import { PEERING_TYPE } from '../../resources/kinds.js';
import type { ResourceStore } from '../../store/resource-store.js';
import { authorize } from '../auth.js';
import { errorBodySchema } from '../errors.js';

/** The formats of an on-prem end's configuration (see the route). */
export const PEERING_CONFIG_FORMATS = ['swanctl', 'wireguard', 'wireguard-gateway'] as const;
export type PeeringConfigFormat = (typeof PEERING_CONFIG_FORMATS)[number];

/** Where a peering's generated on-prem configuration is read (sealed at rest beside its tunnel keys). */
export interface PeeringConfigSource {
  config(peering: string, format?: PeeringConfigFormat): Promise<string | undefined>;
}

/** Options of the peering configuration route. */
export interface PeeringConfigRoutesProps {
  readonly store: ResourceStore;
  readonly configs: PeeringConfigSource;
}

/**
 * `GET /peerings/:name/config[?format=…]`: what the on-prem end of a peering must install, keys
 * included, because a real VPN endpoint needs them: `swanctl` (default), strongSwan's
 * `swanctl.conf` for IPsec tunnels to the cloud's VPN gateway; `wireguard`, the site's wg-quick
 * file; `wireguard-gateway`, the wg-quick file of its counterpart beside the cloud cluster's
 * east-west gateway (cloud VPN gateways speak IPsec only). It is the one answer
 * of the API that holds a secret, so only admins may read it (403 for every other role), it is
 * served with `cache-control: no-store`, and the request log never holds the body.
 */
export const peeringConfigRoutes: FastifyPluginAsyncZod<PeeringConfigRoutesProps> = async (
  app,
  { store, configs },
) => {
  app.get(
    '/peerings/:name/config',
    {
      schema: {
        summary: "The on-prem end's VPN configuration of a peering (admins only; holds its keys)",
        tags: ['peering'],
        params: z.object({ name: z.string().min(1).max(253) }),
        querystring: z.object({ format: z.enum(PEERING_CONFIG_FORMATS).default('swanctl') }),
        response: {
          200: z.object({ peering: z.string(), format: z.enum(PEERING_CONFIG_FORMATS), config: z.string() }),
          400: errorBodySchema,
          403: errorBodySchema,
          404: errorBodySchema,
        },
      },
    },
    async (req, reply) => {
      authorize(req, { verb: 'read VPN secrets' });
      const { name } = req.params;
      const { format } = req.query;
      if (!(await store.get({ type: PEERING_TYPE, namespace: '', name })))
        throw new FedgateError('NotFound', `Peering ${name} not found`);
      const text = await configs.config(name, format);
      if (text === undefined)
        throw new FedgateError(
          'NotFound',
          `Peering ${name} has no on-prem configuration (no on-prem end, or its set-up has not reached that step)`,
        );
      void reply.header('cache-control', 'no-store');
      return { peering: name, format, config: text };
    },
  );
};
