import { expect } from 'chai';
import type { ClaimedJob } from '@esjobs/core';
import { ActiveJob } from '../src/active-job.js';
import { defineJob } from '../src/define-job.js';
import { runHandler } from '../src/run-handler.js';
import type { JobContext } from '../src/job-context.js';

const claimed = { id: 'j1', workerId: 'w', token: { seqNo: 1, primaryTerm: 1 }, doc: { name: 'x', payload: null } } as unknown as ClaimedJob;

function active(handler: (p: unknown, ctx: JobContext) => Promise<unknown>): { a: ActiveJob; ctx: JobContext } {
  const def = defineJob({ name: 'x', handler });
  const a = new ActiveJob(claimed, def as never, 0, 30_000, undefined);
  const ctx = {
    get signal(): AbortSignal {
      return a.signal;
    },
  } as JobContext;
  return { a, ctx };
}

describe('worker: active job signal (created on first use)', () => {
  it('a signal first read after the abort is already aborted with the reason', () => {
    const { a } = active(async () => null);
    const reason = new Error('lease gone');
    a.abort('lease-lost', reason);
    a.abort('timeout', new Error('later')); // the first abort wins
    expect(a.signal.aborted).to.equal(true);
    expect(a.signal.reason).to.equal(reason);
    expect(a.abortKind).to.equal('lease-lost');
  });

  it('a signal read before the abort fires with it; a finished run is not aborted', async () => {
    const { a, ctx } = active(async (_p, c) => new Promise((_, reject) => c.signal.addEventListener('abort', () => reject(c.signal.reason as Error))));
    const run = runHandler(a, ctx);
    await new Promise((r) => setImmediate(r));
    const reason = new Error('timed out');
    a.abort('timeout', reason);
    expect(await run).to.deep.equal({ kind: 'aborted', reason });
    const done = active(async () => 42);
    expect(await runHandler(done.a, done.ctx)).to.deep.equal({ kind: 'completed', result: 42 });
    done.a.finished = true;
    done.a.abort('shutdown', new Error('stop'));
    expect(done.a.abortReason).to.equal(undefined);
  });

  it('a handler that ignores its signal is decided at the abort; the timer signal ends with the run', async () => {
    const { a, ctx } = active(() => new Promise(() => undefined));
    const timer = a.timerSignal;
    const run = runHandler(a, ctx);
    const reason = new Error('cancelled');
    a.abort('cancelled', reason);
    expect(await run).to.deep.equal({ kind: 'aborted', reason });
    expect(timer.aborted).to.equal(false);
    a.end('over');
    expect(timer.aborted).to.equal(true);
  });
});
