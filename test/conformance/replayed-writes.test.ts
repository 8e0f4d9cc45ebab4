/**
 * A dropped connection after the engine handled a write: the client retries the request by itself
 * (maxRetries), the replay of a conditional write then gets 409 although the first attempt won.
 * The store must recognise its own write and report the outcome it wanted, never a lost lease,
 * and never leave a claimed job without its claimer.
 */
import { expect } from 'chai';
import { Engine, Faults } from '@esjobs/embedded';
import { LeaseLostError } from '@esjobs/core';
import type { ClaimedJob } from '@esjobs/core';
import { embeddedClient } from '../support/clients.js';
import { createHarness } from './jobs-harness.js';
import type { Harness } from './jobs-harness.js';

describe('conformance: writes replayed after a dropped connection', function () {
  this.timeout(30_000);
  let engine: Engine;
  let h: Harness;
  // Drops exactly the next bulk response after the engine applied it.
  let dropNext = false;
  let faults: Faults;

  beforeEach(async () => {
    engine = new Engine();
    faults = new Faults({ byKind: { bulk: { dropAfterProbability: 0.5 } } }, () => {
      const r = dropNext ? 0 : 0.99;
      dropNext = false;
      return r;
    });
    faults.attach(engine);
    h = await createHarness(embeddedClient(engine, { faults, client: { maxRetries: 3 } }), 'replay');
  });
  afterEach(async () => {
    await h.cleanup();
    await h.client.close();
    await engine.close();
  });

  async function claimAll(n: number): Promise<ClaimedJob[]> {
    const store = h.store();
    const outs = await store.enqueueMany(Array.from({ length: n }, (_, i) => ({ name: 'replay', payload: { i }, options: { queue: 'replay' } })));
    expect(outs.every((o) => o.status === 'created')).to.equal(true);
    await h.refresh();
    const claimed = await store.claim({ queues: ['replay'], workerId: 'w1', slots: n });
    expect(claimed.jobs).to.have.length(n);
    return claimed.jobs;
  }

  it('an enqueue whose bulk is replayed reports its jobs created, not existing', async () => {
    const store = h.store();
    dropNext = true;
    const outs = await store.enqueueMany(Array.from({ length: 5 }, (_, i) => ({ name: 'replay', payload: { i }, options: { queue: 'replay', jobId: `job-${i}` } })));
    expect(faults.counts.dropped).to.equal(1);
    expect(outs.map((o) => o.status)).to.deep.equal(['created', 'created', 'created', 'created', 'created']);
    // A second enqueue of the same ids is idempotent as before.
    const again = await store.enqueueMany([{ name: 'replay', payload: { i: 0 }, options: { queue: 'replay', jobId: 'job-0' } }]);
    expect(again.map((o) => o.status)).to.deep.equal(['existing']);
    expect(await h.count(`${h.prefix}-jobs`)).to.equal(5);
  });

  it('a claim whose bulk is replayed still hands every claimed job to the claimer', async () => {
    const store = h.store();
    await store.enqueueMany(Array.from({ length: 8 }, (_, i) => ({ name: 'replay', payload: { i }, options: { queue: 'replay' } })));
    await h.refresh();
    dropNext = true;
    const claimed = await store.claim({ queues: ['replay'], workerId: 'w1', slots: 8 });
    expect(faults.counts.dropped).to.equal(1);
    expect(claimed.jobs).to.have.length(8);
    for (const job of claimed.jobs) {
      const doc = (await h.client.get({ index: `${h.prefix}-jobs`, id: job.id }))._source as { state: string; lease: { claimId: string } };
      expect(doc.state).to.equal('active');
      expect(doc.lease.claimId).to.equal(job.doc.lease?.claimId);
    }
    // The tokens handed out are the documents' current ones: completing works.
    const done = await Promise.all(claimed.jobs.map((j) => store.complete(j, 'ok')));
    expect(done.map((d) => d.status)).to.deep.equal(claimed.jobs.map(() => 'completed'));
  });

  it('completions whose bulk is replayed are reported completed, not lost', async () => {
    const jobs = await claimAll(10);
    const store = h.store();
    dropNext = true;
    const outcomes = await Promise.allSettled(jobs.map((j, i) => store.complete(j, { n: i })));
    expect(faults.counts.dropped).to.equal(1);
    const lost = outcomes.filter((o) => o.status === 'rejected');
    expect(lost.map((o) => (o.status === 'rejected' ? String(o.reason) : ''))).to.deep.equal([]);
    for (const [i, job] of jobs.entries()) {
      const doc = (await h.client.get({ index: `${h.prefix}-jobs`, id: job.id }))._source as { state: string; result: unknown; attempt: number };
      expect(doc).to.include({ state: 'completed', attempt: 1 });
      expect(doc.result).to.deep.equal({ n: i });
    }
  });

  it('a heartbeat whose bulk is replayed extends every lease, and the new tokens keep working', async () => {
    const jobs = await claimAll(6);
    const store = h.store();
    dropNext = true;
    const beats = await store.heartbeat(jobs, '60s');
    expect(faults.counts.dropped).to.equal(1);
    expect(beats.map((b) => b.status)).to.deep.equal(jobs.map(() => 'extended'));
    const renewed = jobs.map((j, i) => {
      const b = beats[i];
      if (b === undefined || b.status !== 'extended') throw new Error('not extended');
      return { ...j, doc: b.doc, token: b.token };
    });
    const done = await Promise.all(renewed.map((j) => store.complete(j)));
    expect(done.map((d) => d.status)).to.deep.equal(jobs.map(() => 'completed'));
  });

  it('a stale complete is still a LeaseLostError (recognising our own write does not hide a real loss)', async () => {
    const [job] = await claimAll(1);
    if (job === undefined) throw new Error('no job');
    const store = h.store();
    await store.complete(job, 'first');
    dropNext = true;
    const again = await store.complete(job, 'second').then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(again).to.be.instanceOf(LeaseLostError);
  });
});
