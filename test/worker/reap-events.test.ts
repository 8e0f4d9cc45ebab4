/**
 * The worker's reaper reports each job it takes back: `job:stalled` (requeued or dead-lettered),
 * `job:dead-lettered` for a move to the dead index, `job:cancelled` for a cancel that its dead
 * owner never learned of (the job ends failed instead of running again).
 */
import { expect } from 'chai';
import type { ClaimedJob, EsJobsEvents } from '@esjobs/core';
import { Worker, defineJob } from '@esjobs/worker';
import { track, useLeakCheck } from '../support/leaks.js';
import { type Target, eventually, openTarget } from './support.js';

describe('Worker: per-job events from the reaper', function () {
  this.timeout(20_000);
  let t: Target;
  let w: Worker | undefined;

  beforeEach(async () => {
    t = await openTarget('reapev');
  });
  afterEach(async () => {
    await w?.stop({ timeout: 0 });
    w = undefined;
    await t.close();
  });
  useLeakCheck();

  async function claimDead(name: string, maxStalls: number): Promise<ClaimedJob> {
    const { job } = await t.store.enqueue(name, null, { maxStalls });
    const [claimed] = (await t.store.claimByIds({ ids: [job.id], queues: ['default'], workerId: 'gone', lease: '300ms' })).jobs;
    if (claimed === undefined) throw new Error(`could not claim ${job.id}`);
    return claimed;
  }

  it('emits job:stalled, job:dead-lettered and job:cancelled per reaped job', async () => {
    const ran: string[] = [];
    const handler = (_p: null, ctx: { job: { id: string } }): string => {
      ran.push(ctx.job.id);
      return 'ok';
    };
    const jobs = ['again', 'doomed', 'stopped'].map((name) => defineJob({ name, handler }));
    const requeued = await claimDead('again', 1);
    const dead = await claimDead('doomed', 0);
    const cancelled = await claimDead('stopped', 1);
    expect((await t.store.cancel(cancelled.id)).status).to.equal('requested');
    await new Promise((r) => setTimeout(r, 400));

    w = new Worker({ es: t.ctx, jobs, pollMinMs: 10, pollMaxMs: 100, bootstrap: false, reapIntervalMs: 100 });
    const worker = w;
    const untrack = track({ label: `worker ${worker.id}`, close: () => worker.stop({ timeout: 0 }) });
    worker.events.on('worker:offline', () => untrack());
    const stalled: EsJobsEvents['job:stalled'][] = [];
    const deadLettered: EsJobsEvents['job:dead-lettered'][] = [];
    const cancels: EsJobsEvents['job:cancelled'][] = [];
    worker.events.on('job:stalled', (e) => stalled.push(e));
    worker.events.on('job:dead-lettered', (e) => deadLettered.push(e));
    worker.events.on('job:cancelled', (e) => cancels.push(e));
    await worker.start();

    await eventually('reap events', () => (stalled.length >= 2 && cancels.length >= 1 ? true : undefined), 10_000);
    await eventually('requeued job ran', () => (ran.includes(requeued.id) ? true : undefined), 10_000);
    const byId = new Map(stalled.map((e) => [e.jobId, e]));
    expect(byId.get(requeued.id)).to.deep.include({ name: 'again', queue: 'default', attempt: 1, previousWorkerId: 'gone', stallCount: 1, action: 'requeued', reaperId: worker.id });
    expect(byId.get(dead.id)).to.deep.include({ name: 'doomed', attempt: 1, previousWorkerId: 'gone', stallCount: 1, action: 'dead-lettered' });
    expect(byId.has(cancelled.id)).to.equal(false);
    expect(deadLettered.map((e) => ({ jobId: e.jobId, reason: e.reason, deadIndex: e.deadIndex }))).to.deep.equal([{ jobId: dead.id, reason: 'stalled', deadIndex: `${t.prefix}-dead-default` }]);
    expect(cancels.map((e) => ({ jobId: e.jobId, name: e.name, previousState: e.previousState }))).to.deep.equal([{ jobId: cancelled.id, name: 'stopped', previousState: 'active' }]);
    expect((await t.store.getJob(cancelled.id))?.doc.state).to.equal('failed');
    expect((await t.store.getJob(dead.id))?.location).to.equal('dead');
    expect(ran).to.deep.equal([requeued.id]);
  });
});
