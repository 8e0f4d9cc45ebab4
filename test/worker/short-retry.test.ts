/**
 * A job this worker puts back (retry with backoff, retry-later) is claimable again as soon as its
 * runAt passes: the claimer's recent-claims exclusion (claimExcludeWindow, 3 s) must not hold it.
 */
import { expect } from 'chai';
import { claimExcludeWindowMsDefault } from '../../packages/core/src/jobs/store-options.js';
import { type AnyJobDefinition, Worker, defineJob } from '@esjobs/worker';
import { track, useLeakCheck } from '../support/leaks.js';
import { type Target, eventually, openTarget } from './support.js';

describe('Worker: short retries run as soon as they are due', function () {
  this.timeout(20_000);
  let t: Target;
  const workers: Worker[] = [];

  function worker(jobs: readonly AnyJobDefinition[]): Worker {
    const w = new Worker({ es: t.ctx, jobs, pollMinMs: 10, pollMaxMs: 100, bootstrap: false });
    workers.push(w);
    const untrack = track({ label: `worker ${w.id}`, close: () => w.stop({ timeout: 0 }) });
    w.events.on('worker:offline', () => untrack());
    return w;
  }

  beforeEach(async () => {
    t = await openTarget('retry');
  });

  afterEach(async () => {
    await Promise.all(workers.splice(0).map((w) => w.stop({ timeout: 0 })));
    await t.close();
  });
  useLeakCheck();

  // Loose bound for a loaded 2-core machine, still well under the exclusion window.
  const BOUND_MS = 1500;

  it('runs the second attempt of a job failing once with a 100 ms fixed backoff within ~1.5 s', async () => {
    expect(claimExcludeWindowMsDefault).to.be.at.least(2 * BOUND_MS);
    const starts: number[] = [];
    const flaky = defineJob({
      name: 'flaky',
      backoff: { type: 'fixed', delay: 100 },
      handler: () => {
        starts.push(Date.now());
        if (starts.length === 1) throw new Error('first attempt fails');
        return 'ok';
      },
    });
    const w = worker([flaky]);
    await w.start();
    const { job } = await t.store.enqueue('flaky', null, { backoff: { type: 'fixed', delay: 100 } });
    await eventually('second attempt', () => (starts.length >= 2 ? true : undefined), 5000);
    const [first, second] = starts;
    const gapMs = (second ?? 0) - (first ?? 0);
    expect(gapMs).to.be.at.least(100);
    expect(gapMs).to.be.lessThan(BOUND_MS);
    await eventually('completed', async () => ((await t.store.getJob(job.id))?.doc.state === 'completed' ? true : undefined));
    const done = await t.store.getJob(job.id);
    expect(done?.doc.attempt).to.equal(2);
  });

  it('runs a job that asked to retry later in 100 ms within ~1.5 s, without counting an attempt', async () => {
    const starts: number[] = [];
    const later = defineJob({
      name: 'later',
      handler: (_p: null, ctx) => {
        starts.push(Date.now());
        if (starts.length === 1) ctx.retryLater(100);
        return 'ok';
      },
    });
    const w = worker([later]);
    await w.start();
    const { job } = await t.store.enqueue('later', null);
    await eventually('second run', () => (starts.length >= 2 ? true : undefined), 5000);
    const gapMs = (starts[1] ?? 0) - (starts[0] ?? 0);
    expect(gapMs).to.be.at.least(100);
    expect(gapMs).to.be.lessThan(BOUND_MS);
    await eventually('completed', async () => ((await t.store.getJob(job.id))?.doc.state === 'completed' ? true : undefined));
    expect((await t.store.getJob(job.id))?.doc.attempt).to.equal(1);
  });
});
