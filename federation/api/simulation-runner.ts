import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { WhatIfResult } from '../../placement/index.js';
import { FedgateError } from '../errors/fedgate-error.js';
import {
  type CurrentState,
  proposalOf,
  type SimulationAnswer,
  type SimulationRequest,
} from './simulation.js';
import type { SimulationJob, SimulationReply } from './simulation-worker.js';

/** Options of the simulation runner. */
export interface SimulationRunnerProps {
  /** Heap bound of one simulation's worker (MiB). Default 2048. */
  readonly maxMemoryMb?: number;
  /** Simulations that may wait; past that a request is refused with 429. Default 4. */
  readonly maxWaiting?: number;
}

/**
 * How to start the worker: the compiled JavaScript beside this file, or (running from the
 * TypeScript sources, as the tests do) a bootstrap that registers tsx and imports the source.
 */
function workerEntry(): { script: URL | string; eval: boolean } {
  const js = new URL('./simulation-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(js))) return { script: js, eval: false };
  // The ESM build of tsx's register API sits beside the CommonJS one `require.resolve` finds.
  const cjs = createRequire(import.meta.url).resolve('tsx/esm/api');
  const tsx = pathToFileURL(cjs.replace(/index\.cjs$/, 'index.mjs')).href;
  const ts = new URL('./simulation-worker.ts', import.meta.url).href;
  return {
    script: `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(ts)}); });`,
    eval: true,
  };
}

/**
 * Runs simulations in a worker thread with a bounded heap, one at a time (a simulation already
 * uses a whole core; a few more may wait): the CPU-heavy what-if never runs on the API's event
 * loop, and one oversized simulation fails alone, with an error naming the bound, instead of
 * taking the process' memory. The worker is started on first use and kept; one that died (out of
 * memory) is replaced by the next simulation.
 */
export class SimulationRunner {
  private readonly maxMemoryMb: number;
  private readonly maxWaiting: number;
  private busy = false;
  private readonly waiting: (() => void)[] = [];
  private worker: Worker | undefined;

  constructor(props: SimulationRunnerProps = {}) {
    this.maxMemoryMb = props.maxMemoryMb ?? 2048;
    this.maxWaiting = props.maxWaiting ?? 4;
  }

  /** Validates `req` (here: bad input never waits) and simulates it on `state` in the worker thread. */
  async run(state: CurrentState, req: SimulationRequest, now: number): Promise<SimulationAnswer> {
    const proposal = proposalOf(state, req);
    if (this.busy) {
      if (this.waiting.length >= this.maxWaiting) {
        throw new FedgateError(
          'Throttled',
          `a simulation is running and ${this.waiting.length} are waiting: try again shortly`,
        );
      }
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
    this.busy = true;
    try {
      // The worker needs the what-if state only (not the stored MemberCluster objects).
      const { clusters: _clusters, resourceVersion, ...whatIf } = state;
      const result = await this.inWorker({
        state: whatIf,
        proposal,
        now,
        explanations: req.explain === true,
      });
      return { resourceVersion, ...result };
    } finally {
      this.busy = false;
      this.waiting.shift()?.();
    }
  }

  /** Stops the worker (server shutdown); a running simulation fails. */
  async close(): Promise<void> {
    const w = this.worker;
    this.worker = undefined;
    await w?.terminate();
  }

  private started(): Worker {
    if (this.worker !== undefined) return this.worker;
    const entry = workerEntry();
    const worker = new Worker(entry.script, {
      eval: entry.eval,
      resourceLimits: { maxOldGenerationSizeMb: this.maxMemoryMb },
    });
    // An idle worker must not keep the process alive.
    worker.unref();
    worker.once('exit', () => {
      if (this.worker === worker) this.worker = undefined;
    });
    this.worker = worker;
    return worker;
  }

  private inWorker(job: SimulationJob): Promise<WhatIfResult> {
    const worker = this.started();
    return new Promise<WhatIfResult>((resolve, reject) => {
      const done = () => {
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
      };
      const onMessage = (reply: SimulationReply) => {
        done();
        if (reply.ok) resolve(reply.result);
        else reject(new FedgateError('Internal', `the simulation failed: ${reply.message}`));
      };
      const onError = (err: Error & { code?: string }) => {
        done();
        reject(
          err.code === 'ERR_WORKER_OUT_OF_MEMORY'
            ? new FedgateError(
                'PayloadTooLarge',
                `the simulation needed more than its memory bound of ${this.maxMemoryMb} MiB: simulate fewer templates or a smaller fleet at a time`,
              )
            : new FedgateError('Internal', `the simulation failed: ${err.message}`, [], { cause: err }),
        );
      };
      const onExit = (code: number) => {
        done();
        reject(new FedgateError('Unavailable', `the simulation stopped (worker exit code ${code})`));
      };
      worker.on('message', onMessage);
      worker.once('error', onError);
      worker.once('exit', onExit);
      worker.postMessage(job);
    });
  }
}
