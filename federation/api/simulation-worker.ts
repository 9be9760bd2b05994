/**
 * Worker-thread entry of a simulation: runs the pure what-if of placement/ on the state the API
 * read and the proposal it validated, so a simulation of thousands of templates on thousands of
 * clusters never holds the API's event loop (health checks, watches and applies keep answering).
 * Started once by simulation-runner.ts, with a bounded heap, and kept for the next simulation.
 */
import { parentPort } from 'node:worker_threads';
import { simulate, type WhatIfProposal, type WhatIfResult, type WhatIfState } from '../../placement/index.js';

/** What the runner hands the worker. */
export interface SimulationJob {
  readonly state: WhatIfState;
  readonly proposal: WhatIfProposal;
  readonly now: number;
  readonly explanations: boolean;
}

/** What the worker answers: the result, or the error's message (errors do not cross threads whole). */
export type SimulationReply = { ok: true; result: WhatIfResult } | { ok: false; message: string };

function answer(job: SimulationJob): SimulationReply {
  try {
    return {
      ok: true,
      result: simulate(job.state, job.proposal, {
        now: job.now,
        ...(job.explanations ? { explanations: true } : {}),
      }),
    };
  } catch (err) {
    return { ok: false, message: err instanceof Error ? err.message : String(err) };
  }
}

// One job at a time: the runner sends the next only after this one's answer.
parentPort?.on('message', (job: SimulationJob) => {
  parentPort?.postMessage(answer(job));
});
