import { once } from 'node:events';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { UpstreamError, Upstreams } from '../../../peering/gateway/upstreams.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});

describe('HTTP/1.1 upstream tries', () => {
  it('time out while waiting for a pooled connection, not only once sent', async () => {
    // An endpoint that holds every request: its one pooled connection stays busy.
    const server = http.createServer(() => {});
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    closers.push(
      () =>
        new Promise<void>((r) => {
          server.close(() => r());
          server.closeAllConnections();
        }),
    );
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const upstreams = new Upstreams(() => '', 1);
    closers.push(() => upstreams.close());
    const target = { id: url, cluster: 'a', kind: 'local' as const, url };
    const send = (timeoutMs: number) =>
      upstreams.send(target, {
        method: 'GET',
        path: '/',
        authority: 'svc',
        headers: {},
        body: undefined,
        timeoutMs,
      });

    let firstSettled = false;
    const first = send(30_000).finally(() => {
      firstSettled = true;
    });
    first.catch(() => {});
    await new Promise((r) => server.once('request', r));
    // The second try queues behind the first; its own timeout ends it while the first still waits.
    const second = await send(200).catch((err: unknown) => err);
    expect(second).toBeInstanceOf(UpstreamError);
    expect((second as UpstreamError).code).toBe('timeout');
    expect(firstSettled).toBe(false);
  }, 10_000);
});
