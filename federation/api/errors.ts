import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { type ErrorCode, FedgateError, type FieldIssue } from '../errors/fedgate-error.js';
import { isRedisUnavailable } from '../redis/connection-factory.js';

/** The JSON body of every error answer: a stable code, a message, and the offending fields. */
export const errorBodySchema = z
  .object({
    code: z.string().describe('stable error code, e.g. Invalid, NotFound, Conflict'),
    message: z.string(),
    fields: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .meta({ id: 'Error' });

/** The error body type. */
export type ErrorBody = z.infer<typeof errorBodySchema>;

/** Fastify's own client errors, by HTTP status, mapped onto our codes. */
const STATUS_CODES: Readonly<Record<number, ErrorCode>> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  409: 'Conflict',
  410: 'Expired',
  413: 'PayloadTooLarge',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
  429: 'Throttled',
  503: 'Unavailable',
};

/**
 * Translates anything thrown while serving a request into a FedgateError: our own errors as they
 * are, zod schema failures as `BadRequest` with field paths, fastify's 4xx errors (bad JSON, body
 * too large, wrong content type) by status, Redis being unreachable as `Unavailable`, and everything
 * else as an opaque `Internal`.
 */
export function toFedgateError(err: unknown): FedgateError {
  if (err instanceof FedgateError) return err;
  if (hasZodFastifySchemaValidationErrors(err)) {
    const where = (err as { validationContext?: string }).validationContext ?? 'request';
    const fields: FieldIssue[] = err.validation.map((v) => ({
      path: jsonPointerToPath(where === 'body' ? '' : where, v.instancePath),
      message: v.message ?? 'invalid',
    }));
    const summary = fields.map((f) => `${f.path}: ${f.message}`).join('; ');
    return new FedgateError('BadRequest', summary || `invalid ${where}`, fields);
  }
  if (isRedisUnavailable(err)) {
    return new FedgateError(
      'Unavailable',
      `the store is unavailable (Redis: ${err.message}); retry shortly`,
      [],
      {
        cause: err,
      },
    );
  }
  if (isResponseSerializationError(err)) {
    return new FedgateError('Internal', 'the server produced an invalid response', [], { cause: err });
  }
  const fe = err as Partial<FastifyError>;
  const status = typeof fe.statusCode === 'number' ? fe.statusCode : 500;
  const code = STATUS_CODES[status];
  if (code !== undefined && status < 500) {
    return new FedgateError(code, clientMessage(fe), [], { cause: err });
  }
  return new FedgateError('Internal', 'internal server error', [], { cause: err });
}

/** Registers the error and not-found handlers that answer `{code, message, fields?}`. */
export function registerErrorHandlers(app: FastifyInstance, opts: { bodyLimitBytes?: number } = {}): void {
  app.setErrorHandler((err: unknown, req: FastifyRequest, reply: FastifyReply) => {
    let fe = toFedgateError(err);
    if (
      fe.code === 'PayloadTooLarge' &&
      opts.bodyLimitBytes !== undefined &&
      !(err instanceof FedgateError)
    ) {
      fe = tooLarge(req.url, opts.bodyLimitBytes, err);
    }
    if (fe.status >= 500) req.log.error({ err }, 'request failed');
    else req.log.info({ code: fe.code, message: fe.message }, 'request refused');
    return sendError(reply, fe);
  });
  app.setNotFoundHandler((req, reply) =>
    sendError(reply, new FedgateError('NotFound', `no route ${req.method} ${req.url.split('?')[0]}`)),
  );
}

/**
 * A body over the limit: the message names the limit and, for a simulation, how to pass large
 * inputs (the simulation reads the stored templates and fleet when the request leaves them out).
 */
function tooLarge(url: string, limit: number, cause: unknown): FedgateError {
  const mib = Math.round((limit / (1024 * 1024)) * 10) / 10;
  const base = `the request body is larger than the server's limit of ${mib} MiB (${limit} bytes)`;
  const hint = url.split('?')[0]?.endsWith('/simulate')
    ? '; a simulation reads what the body leaves out from the store: omit "templates" to simulate every stored template and "fleet" to use the registered clusters, and send only the policies that change'
    : '; send the objects in several smaller requests';
  return new FedgateError('PayloadTooLarge', `${base}${hint}`, [], { cause });
}

/** Sends a FedgateError as the JSON error body with its status. */
export function sendError(reply: FastifyReply, err: FedgateError): FastifyReply {
  if (err.code === 'Unauthorized') reply.header('www-authenticate', 'Bearer realm="fedgate"');
  return reply.code(err.status).type('application/json').send(err.toJSON());
}

function clientMessage(fe: Partial<FastifyError>): string {
  switch (fe.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return 'malformed JSON body';
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return 'the body is empty but content-type is application/json';
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return 'the request body is larger than the server accepts';
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return 'unsupported content type: send application/json';
    default:
      return fe.message ?? 'bad request';
  }
}

/** `/items/2/spec` in context `querystring` → `querystring.items[2].spec`. */
function jsonPointerToPath(root: string, pointer: string): string {
  let out = root;
  for (const raw of pointer.split('/').slice(1)) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    out += /^\d+$/.test(seg) ? `[${seg}]` : `${out ? '.' : ''}${seg}`;
  }
  return out || '.';
}
