import { describe, expect, it } from 'vitest';
import { inParallel } from '../../../providers/cloud/parallel.js';
import { sleep } from '../../../providers/cloud/retry.js';

/** Provider calls run side by side as one: a failure or the caller's abort ends them all before it returns. */
describe('provider calls in parallel', () => {
  it('resolves with each result in order', async () => {
    const out = await inParallel({}, [async () => 1, async () => 'two']);
    expect(out).toEqual([1, 'two']);
  });

  it('one failing aborts the others, and rejects only once they have stopped (nothing runs on after it)', async () => {
    const events: string[] = [];
    const failed = await inParallel({} as { signal?: AbortSignal }, [
      async () => {
        await sleep(20);
        events.push('failed');
        throw new Error('throttled for good');
      },
      async (o) => {
        try {
          // A sibling retrying with backoff: stops at the abort instead of sending again later.
          await sleep(60_000, o.signal);
          events.push('sent again');
        } catch {
          await sleep(30);
          events.push('sibling stopped');
        }
      },
    ]).catch((e: unknown) => e);
    events.push('returned');
    expect(String(failed)).toBe('Error: throttled for good');
    expect(events).toEqual(['failed', 'sibling stopped', 'returned']);
  });

  it("the caller's abort reaches every call", async () => {
    const ac = new AbortController();
    const reason = new Error('cancelled');
    const running = inParallel({ signal: ac.signal }, [
      (o) => sleep(60_000, o.signal),
      (o) => sleep(60_000, o.signal),
    ]);
    ac.abort(reason);
    await expect(running).rejects.toBe(reason);
  });
});
