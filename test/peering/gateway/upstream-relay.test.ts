import { createHash } from 'node:crypto';
import { once } from 'node:events';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Target } from '../../../peering/gateway/balancer.js';
import { Upstreams } from '../../../peering/gateway/upstreams.js';
import { waitFor } from '../../support/wait-for.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

async function serve(handler: http.RequestListener): Promise<string> {
  const server = http.createServer(handler);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  closers.push(
    () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A front server relaying every call to `target` as the gateway does; `sent` gets each relay's byte count. */
async function front(upstreams: Upstreams, target: Target, sent: number[]): Promise<string> {
  return serve((req, res) => {
    void (async () => {
      const r = await upstreams.send(target, {
        method: req.method ?? 'GET',
        path: req.url ?? '/',
        authority: 'svc',
        headers: {},
        body: undefined,
        timeoutMs: 5_000,
      });
      const n = r.relay(res);
      sent.push(n instanceof Promise ? await n : n);
    })().catch(() => res.destroy());
  });
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('HTTP/1.1 answers relayed from an upstream', () => {
  it('arrive byte for byte, a small one whole and a large one streamed through backpressure', async () => {
    const large = Buffer.alloc(3 * 1024 * 1024);
    for (let i = 0; i < large.length; i++) large[i] = (i * 7919) % 251;
    const url = await serve((req, res) => {
      if (req.url === '/small') {
        res.end('hello');
        return;
      }
      // Chunked, written in pieces over several turns of the event loop.
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      let at = 0;
      const next = () => {
        if (at >= large.length) {
          res.end();
          return;
        }
        const piece = large.subarray(at, at + 100_000);
        at += piece.length;
        if (res.write(piece)) setImmediate(next);
        else res.once('drain', next);
      };
      next();
    });
    const upstreams = new Upstreams(() => '', 2);
    closers.push(() => upstreams.close());
    const sent: number[] = [];
    const gw = await front(upstreams, { id: url, cluster: 'a', kind: 'local', url }, sent);

    const small = await fetch(`${gw}/small`);
    expect(small.status).toBe(200);
    expect(await small.text()).toBe('hello');

    // Read slowly, so the relay must pause the upstream rather than hold the body.
    const res = await new Promise<http.IncomingMessage>((r) => http.get(`${gw}/large`, r));
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => {
      chunks.push(c);
      res.pause();
      setTimeout(() => res.resume(), 1);
    });
    await once(res, 'end');
    const body = Buffer.concat(chunks);
    expect(body.length).toBe(large.length);
    expect(sha(body)).toBe(sha(large));
    await waitFor('both relays counted', () => sent.length === 2);
    expect(sent).toEqual([5, large.length]);
  });

  it('stops the upstream answer when the caller goes away mid-body', async () => {
    let upstreamClosed = false;
    const url = await serve((_req, res) => {
      res.writeHead(200);
      const timer = setInterval(() => res.write(Buffer.alloc(16 * 1024)), 5);
      res.on('close', () => {
        clearInterval(timer);
        upstreamClosed = true;
      });
    });
    const upstreams = new Upstreams(() => '', 2);
    closers.push(() => upstreams.close());
    const gw = await front(upstreams, { id: url, cluster: 'a', kind: 'local', url }, []);
    const req = http.get(`${gw}/endless`);
    const res = await new Promise<http.IncomingMessage>((r) => req.once('response', r));
    await once(res, 'data');
    req.destroy();
    await waitFor('the upstream answer stopped', () => upstreamClosed);
  });
});
