/**
 * Reaping expired leases, per Elasticsearch target: a cancel requested on an active job whose
 * owner dies before its next heartbeat must survive the reap (the job ends `failed`, cancelled,
 * and is never requeued), and the reap reports every job it took back with what happened to it.
 */
import { expect } from 'chai';
import type { ClaimedJob, JobStore } from '@esjobs/core';
import { forEachTarget } from '../support/targets.js';
import { TestClock, createHarness } from './jobs-harness.js';
import type { Harness } from './jobs-harness.js';

forEachTarget((target) => {
  describe('conformance: reaping expired leases', function () {
    this.timeout(60_000);
    let h: Harness;

    beforeEach(async () => {
      h = await createHarness(target.client(), 'reap');
    });
    afterEach(async () => {
      await h.cleanup();
    });

    async function claimOne(store: JobStore, workerId: string, name: string, options: { maxStalls?: number } = {}): Promise<ClaimedJob> {
      const { job } = await store.enqueue(name, { n: 1 }, { queue: 'reap', ...options });
      const [claimed] = (await store.claimByIds({ ids: [job.id], queues: ['reap'], workerId })).jobs;
      if (claimed === undefined) throw new Error(`${workerId} did not claim ${job.id}`);
      return claimed;
    }

    it('a job cancelled while its owner is gone ends failed (cancelled) instead of being requeued', async () => {
      const clock = new TestClock();
      const store = h.store({ lease: '30s' }, clock);
      const claimed = await claimOne(store, 'dead-worker', 'cancel-me');
      expect((await store.cancel(claimed.id)).status).to.equal('requested');
      clock.advance(31_000);
      await h.refresh();
      const reaped = await store.reapExpired();
      expect(reaped.requeued).to.deep.equal([]);
      expect(reaped.deadLettered).to.deep.equal([]);
      expect(reaped.cancelled).to.deep.equal([claimed.id]);
      expect(reaped.jobs).to.deep.equal([
        { jobId: claimed.id, name: 'cancel-me', queue: 'reap', attempt: 1, stalls: 1, previousWorkerId: 'dead-worker', outcome: 'cancelled' },
      ]);
      const after = await store.getJob(claimed.id);
      expect(after?.location).to.equal('live');
      expect(after?.doc).to.deep.include({ state: 'failed', lease: null, lastError: 'cancelled' });
      expect(after?.doc.finishedAt).to.be.a('string');
      expect(after?.doc.errors.map((e) => e.kind)).to.deep.equal(['stalled', 'cancelled']);
      // Never claimable again, and a second reap finds nothing.
      await h.refresh();
      expect((await store.claim({ queues: ['reap'], workerId: 'other', slots: 5 })).jobs).to.have.length(0);
      expect((await store.reapExpired()).jobs).to.deep.equal([]);
      // The dead worker's late complete is refused.
      let late: unknown;
      await store.complete(claimed, 'late').catch((err: unknown) => (late = err));
      expect(late).to.be.instanceOf(Error);
      expect((await store.getJob(claimed.id))?.doc.state).to.equal('failed');
    });

    it('reports each reaped job with its outcome: requeued, dead-lettered past its stall limit, cancelled', async () => {
      const clock = new TestClock();
      const store = h.store({ lease: '30s' }, clock);
      const requeue = await claimOne(store, 'w1', 'stall-once', { maxStalls: 1 });
      const dead = await claimOne(store, 'w2', 'stall-dead', { maxStalls: 0 });
      const cancel = await claimOne(store, 'w3', 'stall-cancel', { maxStalls: 0 });
      const healthy = await claimOne(store, 'w4', 'healthy');
      expect((await store.cancel(cancel.id)).status).to.equal('requested');
      clock.advance(20_000);
      expect((await store.heartbeat([healthy]))[0]?.status).to.equal('extended');
      clock.advance(11_000);
      await h.refresh();
      const reaped = await store.reapExpired();
      expect(reaped.conflicts).to.equal(0);
      const byId = new Map(reaped.jobs.map((j) => [j.jobId, j]));
      expect(reaped.jobs).to.have.length(3);
      expect(byId.get(requeue.id)).to.deep.equal({ jobId: requeue.id, name: 'stall-once', queue: 'reap', attempt: 1, stalls: 1, previousWorkerId: 'w1', outcome: 'requeued' });
      expect(byId.get(dead.id)).to.deep.equal({
        jobId: dead.id,
        name: 'stall-dead',
        queue: 'reap',
        attempt: 1,
        stalls: 1,
        previousWorkerId: 'w2',
        outcome: 'dead-lettered',
        deadIndex: `${h.prefix}-dead-reap`,
      });
      // The cancel wins over the stall limit: cancelled, not dead-lettered.
      expect(byId.get(cancel.id)?.outcome).to.equal('cancelled');
      expect(reaped.requeued).to.deep.equal([requeue.id]);
      expect(reaped.deadLettered).to.deep.equal([dead.id]);
      expect(reaped.cancelled).to.deep.equal([cancel.id]);
      const states = await Promise.all([requeue, dead, cancel, healthy].map(async (j) => {
        const found = await store.getJob(j.id);
        return found === undefined ? 'missing' : found.location === 'dead' ? 'dead' : found.doc.state;
      }));
      expect(states).to.deep.equal(['queued', 'dead', 'failed', 'active']);
      // The requeued job's next claim starts with a clean cancel flag and the stall counted.
      await h.refresh();
      const again = (await store.claim({ queues: ['reap'], workerId: 'w5', slots: 5 })).jobs;
      expect(again.map((j) => j.id)).to.deep.equal([requeue.id]);
      expect(again[0]?.doc).to.deep.include({ stalls: 1, attempt: 1, cancelRequested: false });
    });
  });
});
