import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { REGIONS } from '../../../placement/model/data/regions.js';

const regionSchema = z.object({
  provider: z.string(),
  name: z.string(),
  displayName: z.string(),
  lat: z.number(),
  lon: z.number(),
  continent: z.string(),
  jurisdiction: z.string(),
});

// The table is static: built once.
const ANSWER = {
  items: REGIONS.map((r) => ({
    provider: r.provider,
    name: r.name,
    displayName: r.displayName,
    lat: r.location.lat,
    lon: r.location.lon,
    continent: r.continent,
    jurisdiction: r.jurisdiction,
  })),
};

/**
 * `GET /regions`: the regions the placement cost model knows, with their coordinates (the
 * dashboard's world map places clusters by them). Read-only and static.
 */
export const regionRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/regions',
    {
      schema: {
        summary: 'Known provider regions with their coordinates',
        tags: ['regions'],
        response: { 200: z.object({ items: z.array(regionSchema) }) },
      },
    },
    async (_req, reply) => {
      reply.header('cache-control', 'private, max-age=3600');
      return ANSWER;
    },
  );
};
