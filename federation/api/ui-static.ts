import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyPluginAsync } from 'fastify';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.map': 'application/json',
};

/** The built dashboard (`npm run build` writes it to `dist/ui` beside package.json). */
export function defaultUiDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return join(dir, 'dist', 'ui');
}

/**
 * Serves the dashboard's built files at `/ui`: `index.html` revalidated on every load, the
 * content-hashed bundles cached for a year. No authentication: the files hold no data (the page
 * signs in to the API). Answers 404 with a hint when the dashboard was not built.
 */
export function uiStaticRoutes(uiDir: string): FastifyPluginAsync {
  const root = resolve(uiDir);
  return async (app) => {
    app.get('/ui', async (_req, reply) => reply.redirect('/ui/', 302));
    app.get('/ui/*', async (req, reply) => {
      const rel = (req.params as { '*': string })['*'] || 'index.html';
      const file = resolve(root, rel);
      if (!file.startsWith(root + sep)) return reply.code(404).send({ message: 'not found' });
      const gzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? '')) && existsSync(`${file}.gz`);
      let body: Buffer;
      try {
        body = await readFile(gzip ? `${file}.gz` : file);
      } catch {
        const hint = existsSync(root) ? 'not found' : 'the dashboard is not built: run npm run build';
        return reply.code(404).send({ message: hint });
      }
      const hashed = /-[A-Z0-9]{8}\.(js|css)$/.test(rel);
      reply.header('content-type', TYPES[extname(file)] ?? 'application/octet-stream');
      reply.header('cache-control', hashed ? 'public, max-age=31536000, immutable' : 'no-cache');
      reply.header('x-content-type-options', 'nosniff');
      reply.header('vary', 'accept-encoding');
      if (gzip) reply.header('content-encoding', 'gzip');
      if (extname(file) === '.html') {
        reply.header(
          'content-security-policy',
          "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; connect-src 'self'; frame-ancestors 'none'",
        );
      }
      return reply.send(body);
    });
  };
}
