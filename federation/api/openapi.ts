import swagger from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import { createJsonSchemaTransform, createJsonSchemaTransformObject } from 'fastify-type-provider-zod';

/** The version of the API document. */
export const API_VERSION = 'v1';

/**
 * Registers @fastify/swagger so the OpenAPI 3 document is generated from the zod route schemas
 * (the same schemas that validate requests), and serves it at `/openapi.json` without a token.
 * Call before registering routes.
 */
export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'fedgate API',
        version: API_VERSION,
        description:
          'The fedgate federation control plane: objects (fedgate kinds and Kubernetes workload templates), bulk apply, watch, explain, simulate. Errors are JSON {code, message, fields?: [{path, message}]}.',
      },
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      },
      security: [{ bearer: [] }],
      tags: [
        { name: 'objects', description: 'CRUD of every kind' },
        { name: 'apply', description: 'Bulk create-or-update' },
        { name: 'watch', description: 'Change feed as server-sent events' },
        { name: 'explain', description: 'Placement decisions and what-if simulation' },
        { name: 'health', description: 'Probes and metrics (no token)' },
      ],
    },
    transform: createJsonSchemaTransform({ zodToJsonConfig: { target: 'openapi-3.0' } }),
    transformObject: createJsonSchemaTransformObject({ zodToJsonConfig: { target: 'openapi-3.0' } }),
  });
  app.get('/openapi.json', { schema: { hide: true } as object }, async () => app.swagger());
}
