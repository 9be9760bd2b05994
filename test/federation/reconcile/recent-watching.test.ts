import { describe, expect, it } from 'vitest';
import { recentWatching } from '../../../federation/reconcile/status-checks.js';

describe('recentWatching', () => {
  it('reuses a "watches current" answer for a second, never a "not current" one', async () => {
    let now = 0;
    let marks = false;
    const reads: string[][] = [];
    const watching = recentWatching(
      async (clusters) => {
        reads.push([...clusters]);
        return marks;
      },
      () => now,
    );
    // Not current: asked again every time, so a watch that catches up counts at once.
    expect(await watching(['a', 'b'])).toBe(false);
    marks = true;
    expect(await watching(['a', 'b'])).toBe(true);
    expect(reads).toHaveLength(2);
    // Current: the same clusters within the second are not read again; other clusters are.
    marks = false;
    now = 999;
    expect(await watching(['a', 'b'])).toBe(true);
    expect(reads).toHaveLength(2);
    expect(await watching(['a'])).toBe(false);
    expect(reads).toHaveLength(3);
    // A second later the marks are read again: a watch that stopped is seen.
    now = 1_000;
    expect(await watching(['a', 'b'])).toBe(false);
    expect(reads).toHaveLength(4);
  });

  it('shares one read among concurrent asks', async () => {
    let reads = 0;
    const watching = recentWatching(
      async () => {
        reads++;
        await new Promise((r) => setTimeout(r, 5));
        return true;
      },
      () => 0,
    );
    expect(await Promise.all([watching(['a']), watching(['a']), watching(['a'])])).toEqual([
      true,
      true,
      true,
    ]);
    expect(reads).toBe(1);
  });
});
