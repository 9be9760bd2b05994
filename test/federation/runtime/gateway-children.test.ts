import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { endingWithThisProcess } from '../../../federation/runtime/gateway-children.js';
import { waitFor } from '../../support/wait-for.js';

/** Whether the process runs (a zombie, exited but not reaped, does not). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !/^\d+ \(.*\) Z/s.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/**
 * `fedgate up` starts each gateway so that the kernel ends it when `up` dies, however it dies: a
 * child whose JavaScript is stuck cannot notice its supervisor is gone by itself.
 */
describe.runIf(process.platform === 'linux')('gateway children end with their supervisor', () => {
  it('a child that ignores everything ends when its parent is killed with SIGKILL', async () => {
    // The child stands for a stuck gateway: it never looks at its parent.
    const [command, args] = endingWithThisProcess(process.execPath, ['-e', 'setInterval(() => {}, 1000)']);
    const parent = spawn(
      process.execPath,
      [
        '-e',
        `const c = require('node:child_process').spawn(${JSON.stringify(command)}, ${JSON.stringify(args)}, { stdio: 'ignore', detached: true });
         console.log(c.pid);
         setInterval(() => {}, 1000);`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const line = await new Promise<string>((resolve) =>
      createInterface({ input: parent.stdout! }).once('line', resolve),
    );
    const child = Number(line);
    expect(alive(child)).toBe(true);
    parent.kill('SIGKILL');
    await waitFor('the child to end with its parent', () => !alive(child), 10_000, 50);
  });
});
