/**
 * The job-store conformance suite, run once per Elasticsearch target (see jobs.test.ts). Every
 * scenario uses its own prefix; times that matter (leases, delays) come from a TestClock.
 */
import { expect } from 'chai';
import { LeaseLostError, ValidationError, partitionOf, partitionRange } from '@esjobs/core';
import type { ClaimedJob, JobStore } from '@esjobs/core';
import { TestClock, createHarness, percentile, sumMap } from './jobs-harness.js';
import type { Harness } from './jobs-harness.js';
import type { Target } from '../support/targets.js';

/** `n` due jobs `<name>-NN` (priorities 0–2, runAt ascending), refreshed; their ids in claim order. */
async function enqueueOrdered(h: Harness, store: JobStore, name: string, n: number, now: number): Promise<string[]> {
  const id = (i: number): string => `${name}-${String(i).padStart(2, '0')}`;
  await store.enqueueMany(Array.from({ length: n }, (_, i) => ({ name, payload: i, options: { jobId: id(i), priority: i % 3, runAt: now - 1000 + i } })));
  await h.refresh();
  return Array.from({ length: n }, (_, i) => i)
    .sort((a, b) => (b % 3) - (a % 3) || a - b)
    .map(id);
}

const DRAIN_JOBS = Number(process.env['ESJOBS_CONFORMANCE_JOBS'] ?? 10_000);
const CLAIMERS = 8;

async function claimUntil(store: JobStore, request: Parameters<JobStore['claim']>[0], want: number, timeoutMs = 5_000): Promise<ClaimedJob[]> {
  const out: ClaimedJob[] = [];
  const deadline = Date.now() + timeoutMs;
  while (out.length < want && Date.now() < deadline) {
    const r = await store.claim({ ...request, slots: Math.min(request.slots, want - out.length) });
    out.push(...r.jobs);
    if (r.jobs.length === 0) await new Promise((res) => setTimeout(res, 20));
  }
  return out;
}

async function expectValidation(p: () => Promise<unknown> | unknown, field: RegExp): Promise<void> {
  try {
    await p();
  } catch (err) {
    expect(err, String(err)).to.be.instanceOf(ValidationError);
    expect((err as ValidationError).field).to.match(field);
    return;
  }
  expect.fail(`expected a ValidationError for ${String(field)}`);
}

export function jobStoreSuite(target: Target): void {
  describe('job store conformance', function () {
    this.timeout(240_000);
    let h: Harness;

    beforeEach(async () => {
      h = await createHarness(target.client(), 'jobs');
    });
    afterEach(async () => {
      await h.cleanup();
    });

    for (const partitioned of [false, true]) {
    it(`${CLAIMERS} concurrent claimers drain ${DRAIN_JOBS} jobs${partitioned ? ' from partition slices (as workers do)' : ''}: each runs exactly once, none lost, conflicts reported`, async () => {
      const producer = h.store();
      for (let i = 0; i < DRAIN_JOBS; i += 1000) {
        const batch = Array.from({ length: Math.min(1000, DRAIN_JOBS - i) }, (_, k) => ({ name: 'drain', payload: { n: i + k }, options: { queue: 'drain' } }));
        const outs = await producer.enqueueMany(batch);
        expect(outs.filter((o) => o.status !== 'created')).to.deep.equal([]);
      }
      await h.refresh();
      const runs = new Map<string, { worker: string; attempt: number }[]>();
      const latencies: number[] = [];
      const settleLatencies: number[] = [];
      let idleClaims = 0;
      let conflicts = 0;
      let completed = 0;
      let lost = 0;
      let ownSlice = 0;
      const stores = Array.from({ length: CLAIMERS }, () => h.store({ writeBufferDelay: 5 }));
      const started = Date.now();
      const deadline = started + 200_000;
      await Promise.all(
        stores.map(async (store, w) => {
          const workerId = `w${w}`;
          let idle = 0;
          while (completed + lost < DRAIN_JOBS && Date.now() < deadline) {
            const t0 = performance.now();
            const r = await store.claim({ queues: ['drain'], workerId, slots: 50, lease: '10m', ...(partitioned ? { partition: { rank: w, of: CLAIMERS } } : {}) });
            latencies.push(performance.now() - t0);
            conflicts += r.conflicts;
            if (r.jobs.length === 0) {
              idle++;
              idleClaims++;
              await new Promise((res) => setTimeout(res, Math.min(100, 10 * idle)));
              continue;
            }
            idle = 0;
            for (const j of r.jobs) {
              const list = runs.get(j.id) ?? [];
              const range = partitionRange({ rank: w, of: CLAIMERS });
              if (range !== undefined && j.doc.partition !== undefined && j.doc.partition >= range.from && j.doc.partition < range.to) ownSlice++;
              list.push({ worker: workerId, attempt: j.doc.attempt });
              runs.set(j.id, list);
            }
            const s0 = performance.now();
            const outs = await Promise.allSettled(r.jobs.map((j) => store.complete(j, { by: workerId })));
            settleLatencies.push(performance.now() - s0);
            for (const o of outs) {
              if (o.status === 'fulfilled' && o.value.status === 'completed') completed++;
              else lost++;
            }
          }
        }),
      );
      const elapsedMs = Date.now() - started;
      const twice = [...runs.entries()].filter(([, l]) => l.length !== 1);
      const requests = sumMap(stores.map((s) => s.ctx.metrics.requests));
      const report = {
        target: target.name,
        partitioned,
        jobs: DRAIN_JOBS,
        claimers: CLAIMERS,
        ownSliceShare: Number((ownSlice / DRAIN_JOBS).toFixed(3)),
        elapsedMs,
        jobsPerSec: Math.round((DRAIN_JOBS / elapsedMs) * 1000),
        claimCalls: latencies.length,
        emptyClaims: idleClaims,
        settleP50Ms: Number(percentile(settleLatencies, 50).toFixed(2)),
        conflicts,
        conflictRate: Number((conflicts / (DRAIN_JOBS + conflicts)).toFixed(4)),
        claimP50Ms: Number(percentile(latencies, 50).toFixed(2)),
        claimP99Ms: Number(percentile(latencies, 99).toFixed(2)),
        requestsPerJob: Number((requests / DRAIN_JOBS).toFixed(3)),
        backpressureRetries: sumMap(stores.map((s) => s.ctx.metrics.backpressureRetries)),
      };
      console.log(`      drain: ${JSON.stringify(report)}`);
      expect(lost, 'completions that lost their lease').to.equal(0);
      expect(twice, 'jobs claimed more than once').to.deep.equal([]);
      expect(runs.size, 'jobs run').to.equal(DRAIN_JOBS);
      expect([...runs.values()].every((l) => l[0]?.attempt === 1)).to.equal(true);
      await h.refresh();
      const done = await h.client.count({ index: `${h.prefix}-jobs`, query: { term: { state: 'completed' } } });
      expect(done.count).to.equal(DRAIN_JOBS);
      // Each job carries its partition, and sliced claimers mostly take their own slice first
      // (stealing only tops up); unsliced ones take from everywhere (about 1 in CLAIMERS).
      if (partitioned) expect(ownSlice / DRAIN_JOBS, 'share of jobs claimed from the claimer\'s own slice').to.be.greaterThan(0.6);
      else expect(ownSlice / DRAIN_JOBS).to.be.lessThan(0.5);
    });
    }

    it('a single claimer gets priority order, FIFO within a priority, jobId breaking ties', async () => {
      const clock = new TestClock();
      const store = h.store({}, clock);
      const t = clock.now();
      const specs = [
        { id: 'p0-a', priority: 0, runAt: t - 5000 },
        { id: 'p10-late', priority: 10, runAt: t - 1000 },
        { id: 'p5-b', priority: 5, runAt: t - 2000 },
        { id: 'p10-early', priority: 10, runAt: t - 3000 },
        { id: 'p5-a', priority: 5, runAt: t - 3000 },
        { id: 'p0-b', priority: 0, runAt: t - 4000 },
        { id: 'p5-tie-2', priority: 5, runAt: t - 2000 },
        { id: 'neg', priority: -3, runAt: t - 9000 },
      ];
      await store.enqueueMany(specs.map((s) => ({ name: 'ordered', payload: null, options: { jobId: s.id, priority: s.priority, runAt: s.runAt } })));
      await h.refresh();
      const order: string[] = [];
      for (let i = 0; i < specs.length; i++) {
        const got = await claimUntil(store, { queues: ['default'], workerId: 'solo', slots: 1 }, 1);
        order.push(...got.map((j) => j.id));
      }
      expect(order).to.deep.equal(['p10-early', 'p10-late', 'p5-a', 'p5-b', 'p5-tie-2', 'p0-a', 'p0-b', 'neg']);
    });

    it('a claimer known to be alone (share of one) claims straight from search: in order, two requests a round, nothing twice', async () => {
      const clock = new TestClock();
      // Without the lookahead (tested below), each round is exactly its search and its bulk.
      const store = h.store({ claimLookahead: false }, clock);
      const expected = await enqueueOrdered(h, store, 'solo', 30, clock.now());
      const claimed: string[] = [];
      // Retries of injected 429s (realistic profile) are requests too; they are not what is counted.
      // A rejected attempt and its retry are two requests and one retry: subtract the retries only.
      const claimRequests = (): number => (store.ctx.metrics.requests.get('claim') ?? 0) - (store.ctx.metrics.backpressureRetries.get('claim') ?? 0);
      for (let round = 0; round < 3; round++) {
        const before = claimRequests();
        // No refresh between rounds: search still shows the earlier claims queued.
        const r = await store.claim({ queues: ['default'], workerId: 'alone', slots: 10, lease: '10m', partition: { rank: 0, of: 1 } });
        expect(r.conflicts).to.equal(0);
        expect(claimRequests() - before, `requests of round ${round} (search + bulk, no mget)`).to.equal(2);
        claimed.push(...r.jobs.map((j) => j.id));
      }
      expect(claimed).to.deep.equal(expected);
      const last = await store.claim({ queues: ['default'], workerId: 'alone', slots: 10, lease: '10m', partition: { rank: 0, of: 1 } });
      expect(last.jobs).to.have.length(0);
    });

    it('with the lookahead, the next search of a busy claimer is already done when it claims again: same order, nothing twice', async () => {
      const clock = new TestClock();
      const store = h.store({}, clock);
      const expected = await enqueueOrdered(h, store, 'ahead', 45, clock.now());
      const claimed: string[] = [];
      const prefetched: boolean[] = [];
      for (let round = 0; round < 5; round++) {
        const r = await store.claim({ queues: ['default'], workerId: 'busy', slots: 10, lease: '10m', partition: { rank: 0, of: 1 } });
        expect(r.conflicts).to.equal(0);
        claimed.push(...r.jobs.map((j) => j.id));
        prefetched.push(r.prefetched);
      }
      // Round 0 searched itself; the next ones found their search started by the round before,
      // unless that search was pushed back (a prefetch is tried once, then the claim searches).
      const rejected = store.ctx.metrics.rejections.get('claim') ?? 0;
      expect(prefetched[0]).to.equal(false);
      expect(prefetched.slice(1).filter((p) => !p).length).to.be.at.most(rejected);
      expect(claimed).to.deep.equal(expected);
      // The end of the queue: nothing left, and no search started ahead of an empty slice.
      const last = await store.claim({ queues: ['default'], workerId: 'busy', slots: 10, lease: '10m', partition: { rank: 0, of: 1 } });
      expect(last.jobs).to.have.length(0);
      // A prefetch is only a head start: a smaller claim uses it, a changed shape does not.
      expect((await store.claim({ queues: ['default'], workerId: 'busy', slots: 10, lease: '10m', jobNames: ['other'], partition: { rank: 0, of: 1 } })).prefetched).to.equal(false);
    });

    it('a sliced claimer takes its own slice first, steals only the shortfall, and reports it', async () => {
      const clock = new TestClock();
      const store = h.store({}, clock);
      const share = { rank: 1, of: 4 };
      const range = partitionRange(share);
      if (range === undefined) throw new Error('expected a partition range for 1 of 4');
      const ids = Array.from({ length: 40 }, (_, i) => `slice-${i}`);
      const own = ids.filter((id) => { const p = partitionOf(id); return p >= range.from && p < range.to; });
      expect(own.length, 'test data: some jobs in the slice, some outside').to.be.within(1, 39);
      await store.enqueueMany(ids.map((id) => ({ name: 'sliced', payload: null, options: { jobId: id } })));
      await h.refresh();
      const first = await store.claim({ queues: ['default'], workerId: 'w-slice', slots: own.length, lease: '10m', partition: share });
      expect(first.jobs.map((j) => j.id).sort()).to.deep.equal([...own].sort());
      expect(first.stolen).to.equal(0);
      // The slice is empty now: what is claimed next comes from other slices, and says so.
      const second = await store.claim({ queues: ['default'], workerId: 'w-slice', slots: 3, lease: '10m', partition: share });
      expect(second.jobs).to.have.length(3);
      expect(second.jobs.every((j) => !own.includes(j.id))).to.equal(true);
      expect(second.stolen).to.equal(3);
    });

    it('an owner that lost writes to a claimer stealing from its slice reads its next picks in real time', async () => {
      const clock = new TestClock();
      const owner = h.store({}, clock);
      const thief = h.store({}, clock);
      const ownerShare = { rank: 0, of: 2 };
      const range = partitionRange(ownerShare);
      if (range === undefined) throw new Error('expected a partition range for 0 of 2');
      const ids: string[] = [];
      for (let i = 0; ids.length < 40; i++) {
        const p = partitionOf(`theft-${i}`);
        if (p >= range.from && p < range.to) ids.push(`theft-${i}`);
      }
      await owner.enqueueMany(ids.map((id) => ({ name: 'sliced', payload: null, options: { jobId: id } })));
      await h.refresh();
      // The thief's own slice is empty: it takes 20 of the owner's, from the end the owner reaches last.
      const stolen = await thief.claim({ queues: ['default'], workerId: 'thief', slots: 20, lease: '10m', partition: { rank: 1, of: 2 } });
      expect(stolen.stolen).to.equal(20);
      // No refresh: the owner's searches still show the stolen jobs queued.
      const got: string[] = [];
      let conflicts = 0;
      for (let round = 0; round < 16; round++) {
        const r = await owner.claim({ queues: ['default'], workerId: 'owner', slots: 5, lease: '10m', partition: ownerShare });
        got.push(...r.jobs.map((j) => j.id));
        conflicts += r.conflicts;
        if (r.jobs.length === 0 && r.conflicts === 0) break;
      }
      expect(got).to.have.length(20);
      expect(new Set([...got, ...stolen.jobs.map((j) => j.id)]).size, 'every job claimed once').to.equal(40);
      // One round of lost writes, then real-time reads (20 lost writes when the owner kept trusting search).
      expect(conflicts, 'writes lost to the thief').to.be.at.most(5);
    });

    it('delayed jobs are not claimed before runAt', async () => {
      const clock = new TestClock();
      const store = h.store({}, clock);
      const { job } = await store.enqueue('later', { x: 1 }, { delay: '10s' });
      await h.refresh();
      expect((await store.claim({ queues: ['default'], workerId: 'w', slots: 5 })).jobs).to.have.length(0);
      expect((await store.claimByIds({ ids: [job.id], queues: ['default'], workerId: 'w' })).jobs).to.have.length(0);
      clock.advance(9_999);
      expect((await store.claim({ queues: ['default'], workerId: 'w', slots: 5 })).jobs).to.have.length(0);
      clock.advance(1);
      const got = await store.claim({ queues: ['default'], workerId: 'w', slots: 5 });
      expect(got.jobs.map((j) => j.id)).to.deep.equal([job.id]);
      const stats = await store.queueStats();
      expect(stats['default']?.active ?? 0).to.be.at.most(1);
    });

    it('nextDue: the earliest queued runAt not yet due, or due after a given time (what a worker\'s last search may have missed)', async () => {
      const clock = new TestClock();
      const store = h.store({}, clock);
      const t = clock.now();
      expect(await store.nextDue({ queues: ['default'] })).to.equal(undefined);
      await store.enqueueMany([
        { name: 'nd', payload: 1, options: { jobId: 'nd-past', runAt: t - 500 } },
        { name: 'nd', payload: 2, options: { jobId: 'nd-soon', runAt: t + 3_000 } },
        { name: 'nd', payload: 3, options: { jobId: 'nd-later', runAt: t + 9_000 } },
        { name: 'other', payload: 4, options: { jobId: 'nd-other', runAt: t + 1_000 } },
        { name: 'nd', payload: 5, options: { jobId: 'nd-elsewhere', runAt: t + 1_000, queue: 'elsewhere' } },
      ]);
      await h.refresh();
      expect(await store.nextDue({ queues: ['default'], jobNames: ['nd'] })).to.equal(t + 3_000);
      expect(await store.nextDue({ queues: ['default'] })).to.equal(t + 1_000);
      expect(await store.nextDue({ queues: ['default'], jobNames: ['nd'], after: t - 1_000 })).to.equal(t - 500);
      expect(await store.nextDue({ queues: ['default'], jobNames: ['nd'], after: t + 3_000 })).to.equal(t + 9_000);
      clock.advance(10_000);
      expect(await store.nextDue({ queues: ['default'], jobNames: ['nd'] })).to.equal(undefined);
      const err = await store.nextDue({ queues: ['default'], after: 'soon' as unknown as number }).catch((e: unknown) => e);
      expect(err).to.be.instanceOf(ValidationError);
      expect((err as ValidationError).message).to.include('nextDue.after');
    });

    it('claimByIds starts a local enqueue without waiting for a refresh', async () => {
      const store = h.store();
      const { job } = await store.enqueue('now', { x: 1 });
      const got = await store.claimByIds({ ids: [job.id, 'missing-id'], queues: ['default'], workerId: 'w' });
      expect(got.jobs.map((j) => j.id)).to.deep.equal([job.id]);
      expect(got.jobs[0]?.doc).to.deep.include({ state: 'active', attempt: 1 });
      const again = await store.claimByIds({ ids: [job.id], queues: ['default'], workerId: 'other' });
      expect(again.jobs).to.have.length(0);
    });

    it('a claimer that stops heartbeating loses its jobs; its late complete gets LeaseLostError and changes nothing', async () => {
      const clock = new TestClock();
      const a = h.store({ lease: '30s' }, clock);
      const b = h.store({ lease: '30s' }, clock);
      const { job } = await a.enqueue('fragile', { x: 1 });
      const [claimedA] = (await a.claimByIds({ ids: [job.id], queues: ['default'], workerId: 'A' })).jobs;
      if (claimedA === undefined) throw new Error('A did not claim');
      // A heartbeats once, then goes silent.
      clock.advance(10_000);
      const [hb] = await a.heartbeat([claimedA]);
      expect(hb?.status).to.equal('extended');
      const heldA: ClaimedJob = hb?.status === 'extended' ? { ...claimedA, token: hb.token, doc: hb.doc } : claimedA;
      clock.advance(29_000);
      await h.refresh();
      expect((await b.reapExpired()).requeued, 'lease still valid').to.deep.equal([]);
      clock.advance(2_000);
      const reaped = await b.reapExpired();
      expect(reaped.requeued).to.deep.equal([job.id]);
      const [claimedB] = (await b.claimByIds({ ids: [job.id], queues: ['default'], workerId: 'B' })).jobs;
      expect(claimedB?.doc.stalls).to.equal(1);
      let lateError: unknown;
      await a.complete(heldA, { by: 'A' }).catch((err: unknown) => (lateError = err));
      expect(lateError).to.be.instanceOf(LeaseLostError);
      const [lateBeat] = await a.heartbeat([heldA]);
      expect(lateBeat?.status).to.equal('lost');
      const mid = await b.getJob(job.id);
      expect(mid?.doc).to.deep.include({ state: 'active', result: null });
      expect(mid?.doc.lease?.owner).to.equal('B');
      if (claimedB === undefined) throw new Error('B did not claim');
      expect((await b.complete(claimedB, { by: 'B' })).status).to.equal('completed');
      const done = await b.getJob(job.id);
      expect(done?.doc).to.deep.include({ state: 'completed', result: { by: 'B' } });
      expect(done?.doc.errors.map((e) => e.kind)).to.deep.equal(['stalled']);
    });

    it('an always-failing job ends in the dead index with every error; search, list and redrive work', async () => {
      const store = h.store();
      const { job } = await store.enqueue('doomed', { x: 1 }, { queue: 'mail', attempts: 3, backoff: 0 });
      for (let attempt = 1; attempt <= 3; attempt++) {
        const [c] = (await store.claimByIds({ ids: [job.id], queues: ['mail'], workerId: 'w' })).jobs;
        expect(c?.doc.attempt).to.equal(attempt);
        if (c === undefined) throw new Error('not claimed');
        const out = await store.fail(c, new Error(`smtp refused #${attempt}`));
        expect(out.status).to.equal(attempt < 3 ? 'retrying' : 'dead-lettered');
      }
      const dead = await store.getJob(job.id);
      expect(dead?.location).to.equal('dead');
      expect(dead?.index).to.equal(`${h.prefix}-dead-mail`);
      expect(dead?.doc.errors.map((e) => e.message)).to.deep.equal(['smtp refused #1', 'smtp refused #2', 'smtp refused #3']);
      expect(await h.count(`${h.prefix}-jobs`)).to.equal(0);
      await h.refresh();
      const listed = await store.listDead({ queue: 'mail' });
      expect(listed.jobs.map((j) => j.id)).to.deep.equal([job.id]);
      expect((await store.listDead({ errorText: 'smtp refused' })).jobs.map((j) => j.id)).to.deep.equal([job.id]);
      expect((await store.listDead({ errorText: 'timeout' })).jobs).to.deep.equal([]);
      expect((await store.queueStats())['mail']?.dead).to.equal(1);
      const redriven = await store.redrive('mail', [job.id, 'nope']);
      expect(redriven.map((r) => r.status)).to.deep.equal(['redriven', 'not-found']);
      const back = await store.getJob(job.id);
      expect(back?.location).to.equal('live');
      expect(back?.doc).to.deep.include({ state: 'queued', attempt: 0, deadLetter: false });
      expect(await h.count(`${h.prefix}-dead-mail`)).to.equal(0);
      const [again] = (await store.claimByIds({ ids: [job.id], queues: ['mail'], workerId: 'w' })).jobs;
      expect(again?.doc.attempt).to.equal(1);
    });

    it('a crash between the dead-letter write and the delete neither loses nor duplicates after repair', async () => {
      const store = h.store();
      const { job } = await store.enqueue('doomed', null, { queue: 'crash', attempts: 1 });
      const [c] = (await store.claimByIds({ ids: [job.id], queues: ['crash'], workerId: 'w' })).jobs;
      if (c === undefined) throw new Error('not claimed');
      store.deadLetterHooks = {
        afterDeadWrite: () => {
          throw new Error('crash injected');
        },
      };
      const failed = await store.fail(c, new Error('boom')).catch((err: unknown) => err);
      expect(String(failed)).to.match(/crash injected/);
      store.deadLetterHooks = {};
      expect(await h.count(`${h.prefix}-jobs`), 'live copy left').to.equal(1);
      expect(await h.count(`${h.prefix}-dead-crash`), 'dead copy written').to.equal(1);
      const repaired = await store.repairDeadLetters();
      expect(repaired.movesFinished).to.deep.equal([job.id]);
      expect(await h.count(`${h.prefix}-jobs`)).to.equal(0);
      expect(await h.count(`${h.prefix}-dead-crash`)).to.equal(1);
      expect((await store.getJob(job.id))?.doc.errors.map((e) => e.message)).to.deep.equal(['boom']);
      // and the same for a redrive interrupted after the live write
      const interrupted = await store
        .redrive('crash', [job.id], {
          afterLiveWrite: () => {
            throw new Error('crash injected');
          },
        })
        .catch((err: unknown) => err);
      expect(String(interrupted)).to.match(/crash injected/);
      expect(await h.count(`${h.prefix}-jobs`)).to.equal(1);
      expect(await h.count(`${h.prefix}-dead-crash`)).to.equal(1);
      const again = await store.repairDeadLetters();
      expect(again.redrivesFinished).to.deep.equal([job.id]);
      expect(await h.count(`${h.prefix}-jobs`)).to.equal(1);
      expect(await h.count(`${h.prefix}-dead-crash`)).to.equal(0);
      expect((await store.repairDeadLetters()).movesFinished).to.deep.equal([]);
    });

    it('idempotent enqueue by jobId, and enqueueMany reports every item', async () => {
      const store = h.store();
      const first = await store.enqueue('once', { v: 1 }, { jobId: 'fire:2030-01-01' });
      const second = await store.enqueue('once', { v: 2 }, { jobId: 'fire:2030-01-01' });
      expect(first.created).to.equal(true);
      expect(second.created).to.equal(false);
      expect(second.job.doc.payload).to.deep.equal({ v: 1 });
      const many = await store.enqueueMany([
        { name: 'once', payload: { v: 3 }, options: { jobId: 'fire:2030-01-01' } },
        { name: 'new', payload: { v: 4 }, options: { jobId: 'other' } },
        { name: 'new', payload: { v: 5 } },
      ]);
      expect(many.map((m) => m.status)).to.deep.equal(['existing', 'created', 'created']);
      expect(await h.count(`${h.prefix}-jobs`)).to.equal(3);
    });

    it('payloads and results of every JSON type round-trip (stored, not indexed)', async () => {
      const store = h.store();
      const values: unknown[] = [{ nested: { deep: [1, { x: 'y' }] } }, [1, 'two', { three: 3 }], 'a string', 42, true, null];
      const outs = await store.enqueueMany(values.map((payload) => ({ name: 'json', payload })));
      expect(outs.map((o) => o.status)).to.deep.equal(values.map(() => 'created'));
      const ids = outs.map((o) => (o.status === 'error' ? '' : o.job.id));
      const claimed = (await store.claimByIds({ ids, queues: ['default'], workerId: 'w' })).jobs;
      expect(claimed).to.have.length(values.length);
      for (const c of claimed) await store.complete(c, ['result', c.doc.payload]);
      for (const [i, id] of ids.entries()) {
        const j = await store.getJob(id);
        expect(j?.doc.payload).to.deep.equal(values[i]);
        expect(j?.doc.result).to.deep.equal(['result', values[i]]);
      }
    });

    it('fail retries with backoff, unrecoverable ends failed, release gives the attempt back', async () => {
      const clock = new TestClock();
      const store = h.store({}, clock);
      const { job } = await store.enqueue('flaky', null, { attempts: 5, backoff: { type: 'fixed', delay: '1m' } });
      const [c1] = (await store.claimByIds({ ids: [job.id], queues: ['default'], workerId: 'w' })).jobs;
      if (c1 === undefined) throw new Error('not claimed');
      const r1 = await store.fail(c1, new Error('transient'));
      expect(r1).to.deep.include({ status: 'retrying', runAtMs: clock.now() + 60_000 });
      expect((await store.claimByIds({ ids: [job.id], queues: ['default'], workerId: 'w' })).jobs).to.have.length(0);
      clock.advance(60_000);
      const [c2] = (await store.claimByIds({ ids: [job.id], queues: ['default'], workerId: 'w' })).jobs;
      if (c2 === undefined) throw new Error('not claimed after backoff');
      expect((await store.release(c2)).status).to.equal('released');
      const [c3] = (await store.claimByIds({ ids: [job.id], queues: ['default'], workerId: 'w' })).jobs;
      expect(c3?.doc.attempt).to.equal(2);
      if (c3 === undefined) throw new Error('not claimed after release');
      expect((await store.fail(c3, new Error('bad data'), { unrecoverable: true })).status).to.equal('failed');
      const end = await store.getJob(job.id);
      expect(end?.doc).to.deep.include({ state: 'failed', lastError: 'bad data' });
      expect(end?.location).to.equal('live');
    });

    it('cancel: queued at once, active at the next heartbeat', async () => {
      const store = h.store();
      const q = await store.enqueue('c', null);
      expect(await store.cancel(q.job.id)).to.deep.equal({ status: 'cancelled' });
      expect((await store.getJob(q.job.id))?.doc.state).to.equal('failed');
      expect(await store.cancel(q.job.id)).to.deep.equal({ status: 'not-cancellable', state: 'failed' });
      expect(await store.cancel('never-existed')).to.deep.equal({ status: 'not-found' });
      const a = await store.enqueue('c', null);
      const [c] = (await store.claimByIds({ ids: [a.job.id], queues: ['default'], workerId: 'w' })).jobs;
      if (c === undefined) throw new Error('not claimed');
      expect(await store.cancel(a.job.id)).to.deep.equal({ status: 'requested' });
      const [hb] = await store.heartbeat([c]);
      expect(hb?.status).to.equal('cancelled');
      if (hb?.status !== 'cancelled') throw new Error('no cancel');
      const out = await store.fail({ ...c, token: hb.token, doc: hb.doc }, new Error('cancelled'), { kind: 'cancelled' });
      expect(out.status).to.equal('failed');
    });

    it('heartbeats extend every job of a worker in one bulk; a write whose token only a cancel request moved still lands', async () => {
      const clock = new TestClock();
      const store = h.store({ lease: '30s' }, clock);
      const outs = await store.enqueueMany(Array.from({ length: 5 }, (_, i) => ({ name: 'hb', payload: { i } })));
      const ids = outs.map((o) => (o.status === 'error' ? '' : o.job.id));
      const claimed = (await store.claimByIds({ ids, queues: ['default'], workerId: 'w' })).jobs;
      expect(claimed).to.have.length(5);
      const before = sumMap([store.ctx.metrics.requests]);
      clock.advance(10_000);
      const beats = await store.heartbeat(claimed);
      // one bulk, plus a retry if the realistic profile rejected it (429)
      const retries = sumMap([store.ctx.metrics.rejections, store.ctx.metrics.backpressureRetries]);
      expect(sumMap([store.ctx.metrics.requests]) - before - retries, 'requests for 5 heartbeats').to.be.at.most(1);
      expect(beats.map((b) => b.status)).to.deep.equal(['extended', 'extended', 'extended', 'extended', 'extended']);
      const first = claimed[0];
      if (first === undefined) throw new Error('no job');
      const withProgress = await store.progress(first, { pct: 50 });
      expect(await store.cancel(first.id)).to.deep.equal({ status: 'requested' });
      // the token is stale (cancel moved seq_no) but the attempt is still ours: the completion lands
      expect((await store.complete(withProgress, { done: true })).status).to.equal('completed');
      expect((await store.getJob(first.id))?.doc).to.deep.include({ state: 'completed', result: { done: true }, progress: { pct: 50 } });
    });

    it('a paused queue is not claimed until resumed; stats count per queue and state', async () => {
      const clock = new TestClock();
      const store = h.store({ pausedCacheTtl: 0 }, clock);
      await store.enqueue('p', null, { queue: 'paused' });
      await store.enqueue('p', null, { queue: 'paused', delay: '1h' });
      await store.enqueue('p', null, { queue: 'open' });
      await store.pauseQueue('paused');
      await h.refresh();
      const got = await store.claim({ queues: ['paused', 'open'], workerId: 'w', slots: 10 });
      expect(got.jobs.map((j) => j.doc.queue)).to.deep.equal(['open']);
      expect(await store.isPaused('paused')).to.equal(true);
      await store.resumeQueue('paused');
      const later = await claimUntil(store, { queues: ['paused', 'open'], workerId: 'w', slots: 10 }, 1);
      expect(later.map((j) => j.doc.queue)).to.deep.equal(['paused']);
      await h.refresh();
      const stats = await store.queueStats();
      expect(stats['paused']).to.deep.include({ queued: 1, delayed: 1, active: 1 });
      expect(stats['open']).to.deep.include({ queued: 0, active: 1 });
    });

    it('bad input to every public function is a ValidationError naming the field, and the indices stay untouched', async () => {
      const store = h.store();
      await store.enqueue('seed', { ok: true });
      const before = await h.snapshot();
      const cyclic: Record<string, unknown> = {};
      cyclic['self'] = cyclic;
      const fake = { id: 'x', doc: {}, token: { seqNo: 'a', primaryTerm: 1 }, workerId: 'w' } as unknown as ClaimedJob;
      await expectValidation(() => store.enqueue('', {}), /name$/);
      await expectValidation(() => store.enqueue('x', { n: 10n }), /payload/);
      await expectValidation(() => store.enqueue('x', cyclic), /payload/);
      await expectValidation(() => store.enqueue('x', () => 1), /payload/);
      await expectValidation(() => store.enqueue('x', undefined), /payload/);
      await expectValidation(() => store.enqueue('x', 'y'.repeat(600 * 1024)), /payload/);
      await expectValidation(() => store.enqueue('x', {}, { priority: 'high' as unknown as number }), /priority/);
      await expectValidation(() => store.enqueue('x', {}, { queue: 'UPPER' }), /queue/);
      await expectValidation(() => store.enqueue('x', {}, { delay: '1s', runAt: new Date() }), /runAt/);
      await expectValidation(() => store.enqueue('x', {}, { attempts: 0 }), /attempts/);
      await expectValidation(() => store.enqueueMany([{ name: 'ok', payload: 1 }, { name: 'bad', payload: Symbol('s') }]), /enqueueMany\[1\]\.payload/);
      await expectValidation(() => store.enqueueMany([{ name: 'a', payload: 1, options: { jobId: 'dup' } }, { name: 'a', payload: 1, options: { jobId: 'dup' } }]), /jobId/);
      await expectValidation(() => store.claim({ queues: [], workerId: 'w', slots: 1 }), /queues/);
      await expectValidation(() => store.claim({ queues: ['default'], workerId: '', slots: 1 }), /workerId/);
      await expectValidation(() => store.claim({ queues: ['default'], workerId: 'w', slots: 0 }), /slots/);
      await expectValidation(() => store.claim({ queues: ['default'], workerId: 'w', slots: 1, lease: 'forever' }), /lease/);
      await expectValidation(() => store.claimByIds({ ids: [''], queues: ['default'], workerId: 'w' }), /ids\[0\]/);
      await expectValidation(() => store.heartbeat([fake]), /heartbeat\.jobs\[0\]/);
      await expectValidation(() => store.complete(fake, 1), /complete\.job/);
      await expectValidation(() => store.fail(fake, new Error('x')), /fail\.job/);
      await expectValidation(() => store.release(fake), /release\.job/);
      await expectValidation(() => store.progress(fake, 1), /progress\.job/);
      await expectValidation(() => store.cancel(''), /cancel\.jobId/);
      await expectValidation(() => store.getJob(42 as unknown as string), /getJob\.jobId/);
      await expectValidation(() => store.reapExpired({ limit: -1 }), /limit/);
      await expectValidation(() => store.repairDeadLetters({ limit: 1.5 }), /limit/);
      await expectValidation(() => store.listDead({ queue: 'a*' }), /queue/);
      await expectValidation(() => store.listDead({ size: 0 }), /size/);
      await expectValidation(() => store.redrive('Mail', ['x']), /queue/);
      await expectValidation(() => store.redrive('mail', 'x' as unknown as string[]), /ids/);
      await expectValidation(() => store.pauseQueue('no spaces'), /queue/);
      await expectValidation(() => store.resumeQueue(''), /queue/);
      expect(await h.snapshot()).to.deep.equal(before);
    });
  });
}
