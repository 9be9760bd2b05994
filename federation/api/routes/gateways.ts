import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { FedgateError } from '../../errors/fedgate-error.js';
import { labelNameSchema } from '../../resources/names.js';
import { authorize } from '../auth.js';
import { errorBodySchema } from '../errors.js';

/** One link's aggregates, as a gateway pushes them (source → destination → service). */
export interface GatewayTrafficLink {
  readonly source: string;
  readonly destination: string;
  readonly service: string;
  readonly requests: number;
  readonly errors: number;
  readonly bytesIn: number;
  readonly bytesOut: number;
  readonly buckets: number[];
}

/** A certificate the control plane signed for a gateway (its key stays with the gateway). */
export interface SignedGatewayCertificate {
  readonly certChainPem: string;
  readonly spiffeId: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly serialNumber: string;
}

/** What the gateway routes need from the control plane (the federation CA, the store, the traffic series). */
export interface GatewayControl {
  /** Latency buckets a pushed link must have. */
  readonly latencyBuckets: number;
  /** The longest certificate lifetime signed (ms). */
  readonly maxCertTtlMs: number;
  /** The gateway configuration compiled from the stored policies. */
  config(): Promise<{ readonly version: string }>;
  /** Signs a PKCS#10 request for `cluster`'s gateway; an error with code `InvalidCsr` for a bad request. */
  sign(cluster: string, csrPem: string, ttlMs: number): Promise<SignedGatewayCertificate>;
  /** Every trusted root, PEM. */
  trustBundle(): Promise<string>;
  pushTraffic(links: readonly GatewayTrafficLink[]): Promise<void>;
}

const cluster = z.object({ cluster: labelNameSchema });
const errors = { 400: errorBodySchema, 403: errorBodySchema };
const count = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

/**
 * The routes a cluster's gateway uses with its `gateway` token, all under `/gateways/:cluster/`:
 * `GET config` (its configuration, compiled from the stored policies), `POST certificate` (a
 * PKCS#10 CSR in, a short-lived certificate chain out, signed by the federation's intermediate
 * with the SPIFFE ID `spiffe://<federation>/cluster/<cluster>` whatever the CSR asked for),
 * `GET trust-bundle`, and `POST traffic` (the aggregates of the calls it sent). A gateway token
 * may use them for its own cluster only, and no other route (403); admins may use them for any.
 */
export const gatewayRoutes: FastifyPluginAsyncZod<{ control: GatewayControl }> = async (app, { control }) => {
  app.get(
    '/gateways/:cluster/config',
    {
      schema: {
        summary: "A gateway's configuration: clusters, services, authorization and quota policies",
        tags: ['gateways'],
        params: cluster,
        response: { 200: z.looseObject({ version: z.string() }), ...errors },
      },
    },
    async (req) => {
      authorize(req, { verb: 'act as gateway', cluster: req.params.cluster });
      return control.config();
    },
  );

  app.post(
    '/gateways/:cluster/certificate',
    {
      schema: {
        summary: "Signs a gateway's CSR: a short-lived certificate chain for its cluster's SPIFFE ID",
        tags: ['gateways'],
        params: cluster,
        body: z
          .object({
            csr: z.string().min(1).max(8_192).describe('PEM PKCS#10 request over an ECDSA P-256 key'),
            ttlSeconds: z
              .number()
              .int()
              .min(60)
              .optional()
              .describe('requested lifetime; capped at the control plane maximum (default 24 h)'),
          })
          .strict(),
        response: {
          200: z.object({
            certChainPem: z.string(),
            trustBundlePem: z.string(),
            spiffeId: z.string(),
            notBefore: z.string(),
            notAfter: z.string(),
            serialNumber: z.string(),
          }),
          ...errors,
        },
      },
    },
    async (req, reply) => {
      const { cluster: name } = req.params;
      authorize(req, { verb: 'act as gateway', cluster: name });
      const ttlMs = Math.min(control.maxCertTtlMs, (req.body.ttlSeconds ?? Number.POSITIVE_INFINITY) * 1000);
      let cert: SignedGatewayCertificate;
      try {
        cert = await control.sign(name, req.body.csr, ttlMs);
      } catch (err) {
        if ((err as { code?: unknown }).code !== 'InvalidCsr') throw err;
        const message = (err as Error).message;
        throw new FedgateError('BadRequest', `csr: ${message}`, [{ path: 'csr', message }]);
      }
      req.log.info(
        { cluster: name, serial: cert.serialNumber, notAfter: cert.notAfter },
        'gateway certificate signed',
      );
      void reply.header('cache-control', 'no-store');
      return {
        certChainPem: cert.certChainPem,
        trustBundlePem: await control.trustBundle(),
        spiffeId: cert.spiffeId,
        notBefore: cert.notBefore.toISOString(),
        notAfter: cert.notAfter.toISOString(),
        serialNumber: cert.serialNumber,
      };
    },
  );

  app.get(
    '/gateways/:cluster/trust-bundle',
    {
      schema: {
        summary: "The federation's trust bundle: every root a peer's certificate may chain to",
        tags: ['gateways'],
        params: cluster,
        response: { 200: z.object({ trustBundlePem: z.string() }), ...errors },
      },
    },
    async (req) => {
      authorize(req, { verb: 'act as gateway', cluster: req.params.cluster });
      return { trustBundlePem: await control.trustBundle() };
    },
  );

  app.post(
    '/gateways/:cluster/traffic',
    {
      schema: {
        summary: 'Adds the aggregates of the calls a gateway sent to the traffic matrix',
        tags: ['gateways'],
        params: cluster,
        body: z
          .object({
            links: z
              .array(
                z
                  .object({
                    source: labelNameSchema,
                    destination: labelNameSchema,
                    service: z.string().regex(/^[^|\s]{1,300}$/, 'must be namespace/name'),
                    requests: count,
                    errors: count,
                    bytesIn: count,
                    bytesOut: count,
                    buckets: z.array(count).length(control.latencyBuckets),
                  })
                  .strict(),
              )
              .max(10_000),
          })
          .strict(),
        response: { 204: z.null(), ...errors },
      },
    },
    async (req, reply) => {
      const { cluster: name } = req.params;
      authorize(req, { verb: 'act as gateway', cluster: name });
      // A gateway reports the calls it sent: a link from another cluster is not its to report.
      const i = req.body.links.findIndex((l) => l.source !== name);
      if (i >= 0)
        throw new FedgateError(
          'BadRequest',
          `links[${i}].source: must be ${name}, the reporting gateway's cluster`,
          [{ path: `links[${i}].source`, message: `must be ${name}` }],
        );
      await control.pushTraffic(req.body.links);
      return reply.code(204).send(null);
    },
  );
};
