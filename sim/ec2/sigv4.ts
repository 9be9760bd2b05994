/**
 * Verifies AWS Signature Version 4 on a query-protocol request the way EC2 does: the access key
 * must be known, the signature recomputed from the canonical request with the stored secret must
 * match, and the request date must be within 15 minutes. The credential scope names the region.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { Ec2Error } from './errors.js';

/** Who signed the request, once verified. */
export interface Signer {
  readonly accessKeyId: string;
  readonly region: string;
}

/** What a request to verify carries. */
export interface SignedRequest {
  readonly method: string;
  /** Path and query as received (`/`, `/?Action=…`). */
  readonly url: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
}

const MAX_SKEW_MS = 15 * 60_000;

/** Checks the request's signature against `secretOf(accessKeyId)`; throws the Ec2Error EC2 would answer. */
export function verifySigV4(
  req: SignedRequest,
  secretOf: (accessKeyId: string) => string | undefined,
  now = Date.now(),
): Signer {
  const auth = header(req, 'authorization');
  if (!auth)
    throw new Ec2Error(
      'MissingAuthenticationToken',
      'Request must contain a signature that conforms to AWS standards',
      401,
    );
  const m =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request,\s*SignedHeaders=([^,]+),\s*Signature=([0-9a-f]{64})$/.exec(
      auth,
    );
  if (!m)
    throw new Ec2Error(
      'IncompleteSignature',
      'Request must contain a signature that conforms to AWS standards',
      400,
    );
  const [, accessKeyId, date, region, service, signedHeaders, signature] = m as unknown as string[];
  const secret = secretOf(accessKeyId!);
  if (secret === undefined)
    throw new Ec2Error('AuthFailure', 'AWS was not able to validate the provided access credentials', 401);
  const amzDate = header(req, 'x-amz-date') ?? '';
  const stamp = parseAmzDate(amzDate);
  if (stamp === undefined || !amzDate.startsWith(date!))
    throw new Ec2Error('IncompleteSignature', 'Date must be in ISO-8601 basic format (x-amz-date)', 400);
  if (Math.abs(now - stamp) > MAX_SKEW_MS)
    throw new Ec2Error('RequestExpired', `Request has expired. Timestamp date is ${amzDate}`, 400);

  const names = signedHeaders!.split(';');
  if (!names.includes('host'))
    throw new Ec2Error('IncompleteSignature', "'Host' must be a signed header", 400);
  const [path, query = ''] = req.url.split('?', 2) as [string, string?];
  const canonical = [
    req.method,
    path || '/',
    canonicalQuery(query),
    names.map((n) => `${n}:${canonicalHeaderValue(req, n)}\n`).join(''),
    signedHeaders,
    header(req, 'x-amz-content-sha256') ?? sha256Hex(req.body),
  ].join('\n');
  const scope = `${date}/${region}/${service}/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonical)].join('\n');
  let key = hmac(`AWS4${secret}`, date!);
  for (const part of [region!, service!, 'aws4_request']) key = hmac(key, part);
  const expected = createHmac('sha256', key).update(toSign).digest();
  if (!timingSafeEqual(expected, Buffer.from(signature!, 'hex')))
    throw new Ec2Error('AuthFailure', 'AWS was not able to validate the provided access credentials', 401);
  return { accessKeyId: accessKeyId!, region: region! };
}

function header(req: SignedRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

function canonicalHeaderValue(req: SignedRequest, name: string): string {
  return (header(req, name) ?? '').trim().replace(/\s+/g, ' ');
}

function canonicalQuery(query: string): string {
  if (!query) return '';
  return query
    .split('&')
    .map((kv) => kv.split('=', 2).map((s) => encodeRfc3986(decodeURIComponent(s.replace(/\+/g, ' ')))))
    .sort(([a, av], [b, bv]) => (a! < b! ? -1 : a! > b! ? 1 : (av ?? '') < (bv ?? '') ? -1 : 1))
    .map(([k, v]) => `${k}=${v ?? ''}`)
    .join('&');
}

function encodeRfc3986(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function parseAmzDate(s: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(s);
  if (!m) return undefined;
  return Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
}

function sha256Hex(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data).digest();
}
