import { expect } from 'chai';
import { ManualClock } from '@esjobs/core';
import { Scheduler } from '@esjobs/scheduler';
import { Worker, defineJob, type JobInfo } from '@esjobs/worker';
import { eventually, openTarget } from './support.js';

// A cron fire enqueued with a fire time, then run by a real Worker: the handler's ctx.job says which fire it is.
describe('fired jobs: ctx.job.fireTime and ctx.job.scheduleName', function () {
  this.timeout(20_000);

  // Pending until Worker.jobContext (packages/worker/src/worker.ts) spreads `...scheduleInfo(job.doc)`
  // from job-context.ts into ctx.job; verified to fail for exactly that reason (fields undefined).
  it('a handler sees the fire time (ISO, UTC) and the schedule name of the job it runs', async () => {
    const t = await openTarget('firectx');
    const fireAt = Date.UTC(2026, 0, 5, 12, 1, 0);
    const clock = new ManualClock(fireAt - 30_000);
    const s = new Scheduler({ es: t.ctx(clock), bootstrap: false });
    const seen: JobInfo[] = [];
    const w = new Worker({
      es: t.ctx(),
      bootstrap: false,
      pollMinMs: 10,
      pollMaxMs: 50,
      jobs: [defineJob({ name: 'tick', queue: 'default', handler: (_p: unknown, ctx) => void seen.push(ctx.job) })],
    });
    try {
      await s.schedule({ name: 'every-minute', cron: '* * * * *', job: 'tick' });
      clock.set(fireAt);
      const pass = await s.firePass();
      expect(pass.created).to.equal(1);
      await w.start();
      const job = await eventually('the fired job to run', () => seen[0]);
      expect(job.scheduleName).to.equal('every-minute');
      expect(job.fireTime).to.equal(new Date(fireAt).toISOString());
      expect(job.id).to.equal(`every-minute:${new Date(fireAt).toISOString()}`);
    } finally {
      await w.stop({ timeout: 0 });
      await s.stop();
      await t.close();
    }
  });
});
