import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type ApiHarness, apiHarness, deployment, memberCluster, TOKEN } from './harness.js';

interface SseEvent {
  event: string;
  id?: string;
  data: {
    type: string;
    key?: { type: string; namespace: string; name: string };
    object: Record<string, unknown>;
  };
}

/** Reads server-sent events from a real socket until `count` arrived or the stream ends. */
class SseReader {
  readonly events: SseEvent[] = [];
  comments: string[] = [];
  private buf = '';
  private ended = false;
  private waiters: (() => void)[] = [];
  constructor(private readonly res: Response) {
    void this.pump();
  }
  private async pump() {
    const reader = this.res.body!.getReader();
    const dec = new TextDecoder();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        this.buf += dec.decode(value, { stream: true });
        let i = this.buf.indexOf('\n\n');
        while (i >= 0) {
          this.parse(this.buf.slice(0, i));
          this.buf = this.buf.slice(i + 2);
          i = this.buf.indexOf('\n\n');
        }
        this.wake();
      }
    } catch {
      // aborted
    }
    this.ended = true;
    this.wake();
  }
  private parse(block: string) {
    const ev: Partial<SseEvent> & { event?: string } = {};
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) this.comments.push(line.slice(1).trim());
      else if (line.startsWith('event: ')) ev.event = line.slice(7);
      else if (line.startsWith('id: ')) ev.id = line.slice(4);
      else if (line.startsWith('data: ')) ev.data = JSON.parse(line.slice(6));
    }
    if (ev.event && ev.data) this.events.push(ev as SseEvent);
  }
  private wake() {
    for (const w of this.waiters.splice(0)) w();
  }
  async waitFor(count: number, timeoutMs = 5000): Promise<SseEvent[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.events.length < count && !this.ended && Date.now() < deadline) {
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 100);
      });
    }
    return this.events;
  }
  get done(): boolean {
    return this.ended;
  }
}

describe('API watch (server-sent events)', () => {
  let h: ApiHarness;
  let base: string;
  const controllers: AbortController[] = [];
  afterEach(async () => {
    for (const c of controllers.splice(0)) c.abort();
    await h.close();
  });

  async function start(opts: Parameters<typeof apiHarness>[0] = {}) {
    h = await apiHarness(opts);
    await h.app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}`;
  }

  async function watch(query: string): Promise<SseReader> {
    const c = new AbortController();
    controllers.push(c);
    const res = await fetch(`${base}/api/v1/watch${query}`, {
      headers: { authorization: `Bearer ${TOKEN}` },
      signal: c.signal,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    return new SseReader(res);
  }

  it('streams ADDED, MODIFIED and DELETED to several watchers through one tail loop, filtered by type and namespace', async () => {
    await start();
    const all = await watch('');
    const deploys = await watch('?type=Deployment.v1.apps&namespace=shop');
    await h.call({
      method: 'POST',
      url: '/api/v1/objects/MemberCluster.v1alpha1.fedgate.dev',
      payload: memberCluster('c1'),
    });
    await h.call({
      method: 'POST',
      url: '/api/v1/namespaces/shop/objects/Deployment.v1.apps',
      payload: deployment('web', 1),
    });
    await h.call({
      method: 'POST',
      url: '/api/v1/objects/Deployment.v1.apps',
      payload: deployment('api', 1, 'other'),
    });
    await h.call({
      method: 'PUT',
      url: '/api/v1/namespaces/shop/objects/Deployment.v1.apps/web',
      payload: deployment('web', 4),
    });
    await h.call({ method: 'DELETE', url: '/api/v1/namespaces/shop/objects/Deployment.v1.apps/web' });

    const got = await deploys.waitFor(3);
    expect(
      got.map(
        (e) => `${e.event} ${e.data.object.metadata && (e.data.object.metadata as { name: string }).name}`,
      ),
    ).toEqual(['ADDED web', 'MODIFIED web', 'DELETED web']);
    expect(got[1]!.data).toMatchObject({
      type: 'MODIFIED',
      key: { type: 'Deployment.v1.apps', namespace: 'shop', name: 'web' },
    });
    expect((got[1]!.data.object.spec as { replicas: number }).replicas).toBe(4);
    expect(Number(got[2]!.id)).toBeGreaterThan(Number(got[1]!.id));
    const everything = await all.waitFor(5);
    expect(everything.map((e) => e.event)).toEqual(['ADDED', 'ADDED', 'ADDED', 'MODIFIED', 'DELETED']);
    expect(await h.metrics.getSingleMetricAsString('fedgate_api_watchers')).toContain(
      'fedgate_api_watchers 2',
    );
  });

  it('replays from a resourceVersion, then continues live', async () => {
    await start();
    const a = (
      await h.call({ method: 'POST', url: '/api/v1/objects/Deployment.v1.apps', payload: deployment('a', 1) })
    ).json();
    await h.call({ method: 'POST', url: '/api/v1/objects/Deployment.v1.apps', payload: deployment('b', 1) });
    const w = await watch(`?resourceVersion=${a.metadata.resourceVersion}`);
    await h.call({ method: 'POST', url: '/api/v1/objects/Deployment.v1.apps', payload: deployment('c', 1) });
    const got = await w.waitFor(2);
    expect(got.map((e) => (e.data.object.metadata as { name: string }).name)).toEqual(['b', 'c']);
    const from0 = await watch('?resourceVersion=0');
    expect((await from0.waitFor(3)).map((e) => (e.data.object.metadata as { name: string }).name)).toEqual([
      'a',
      'b',
      'c',
    ]);
  });

  it('ends with an ERROR event carrying a 410 Expired status when the version is too old', async () => {
    await start({ eventRetention: 1 });
    for (let i = 0; i < 30; i++) {
      await h.call({
        method: 'POST',
        url: '/api/v1/objects/Deployment.v1.apps',
        payload: deployment(`d${i}`, 1),
      });
    }
    const w = await watch('?resourceVersion=1');
    const got = await w.waitFor(1);
    expect(got[0]).toMatchObject({
      event: 'ERROR',
      data: { type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired' } },
    });
    await w.waitFor(2, 2000);
    expect(w.done).toBe(true);
  });

  it('refuses a bad query with a 400 JSON error and closes open watches on server close', async () => {
    await start();
    const bad = await h.call({ method: 'GET', url: '/api/v1/watch?resourceVersion=abc' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().fields[0].path).toBe('querystring.resourceVersion');
    const badType = await h.call({ method: 'GET', url: '/api/v1/watch?type=nope' });
    expect(badType.statusCode).toBe(400);
    const w = await watch('');
    await h.app.close();
    await w.waitFor(1, 3000);
    expect(w.done).toBe(true);
  });
});
