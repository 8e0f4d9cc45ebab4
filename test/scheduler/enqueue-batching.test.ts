/**
 * Single enqueues made concurrently share bulk requests (Scheduler's enqueue batcher): every call
 * still gets its own outcome, duplicates of one jobId resolve to one job, a failed request fails
 * exactly its callers, and nothing is lost. Also: the NDJSON bulk body works with both clients.
 */
import { expect } from 'chai';
import { type BackendContext, EventBus, ValidationError, createBackendContext, bootstrap } from '@esjobs/core';
import { Engine, Faults } from '@esjobs/embedded';
import { Scheduler } from '@esjobs/scheduler';
import { embeddedClient, embeddedClient8 } from '../support/clients.js';
import { deleteIndicesMatching } from '../support/delete-indices.js';
import { uniquePrefix } from './support.js';

describe('Scheduler: concurrent enqueues share bulks', function () {
  this.timeout(20_000);
  let engine: Engine;
  let faults: Faults;
  let client: ReturnType<typeof embeddedClient>;
  let ctx: BackendContext;
  let prefix: string;
  const schedulers: Scheduler[] = [];

  function scheduler(extra: { events?: EventBus; enqueueConcurrency?: number; enqueueBatchMax?: number } = {}): Scheduler {
    const s = new Scheduler({ es: ctx, bootstrap: false, ...extra });
    schedulers.push(s);
    return s;
  }

  function bulks(): number {
    return ctx.metrics.requests.get('enqueue') ?? 0;
  }

  async function count(queue: string): Promise<number> {
    await client.indices.refresh({ index: `${prefix}-jobs` });
    return (await client.count({ index: `${prefix}-jobs`, query: { term: { queue } } })).count;
  }

  beforeEach(async () => {
    engine = new Engine();
    faults = new Faults({});
    faults.attach(engine);
    client = embeddedClient(engine, { faults });
    prefix = uniquePrefix('batch');
    ctx = createBackendContext({ client, prefix });
    await bootstrap(ctx);
  });
  afterEach(async () => {
    await Promise.all(schedulers.splice(0).map((s) => s.stop()));
    await deleteIndicesMatching(client, `${prefix}-*`);
    await client.close();
    await engine.close();
  });

  it('enqueues made in one turn go out as one bulk, each with its own outcome and event', async () => {
    const bus = new EventBus();
    const events: string[] = [];
    bus.on('job:enqueued', (e) => events.push(e.jobId));
    const s = scheduler({ events: bus, enqueueConcurrency: 1 });
    await s.enqueue('warm', {}, { queue: 'warm' });
    const before = bulks();
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => s.enqueue('many', { i }, { queue: 'many', priority: i })));
    expect(bulks() - before).to.equal(1);
    expect(results.every((r) => r.created)).to.equal(true);
    expect(results.map((r) => r.job.doc.payload)).to.deep.equal(Array.from({ length: 50 }, (_, i) => ({ i })));
    expect(results.map((r) => r.job.doc.priority)).to.deep.equal(Array.from({ length: 50 }, (_, i) => i));
    expect(new Set(results.map((r) => r.job.id)).size).to.equal(50);
    expect(results.every((r) => r.job.token.seqNo >= 0)).to.equal(true);
    expect(events.filter((id) => results.some((r) => r.job.id === id))).to.have.length(50);
    expect(await count('many')).to.equal(50);
  });

  it('enqueues made while bulks are out wait and leave together', async () => {
    const s = scheduler({ enqueueConcurrency: 1 });
    const before = bulks();
    // 20 producers, each enqueueing 10 jobs one after the other: 200 jobs in far fewer bulks.
    const ids = await Promise.all(
      Array.from({ length: 20 }, async (_, p) => {
        const mine: string[] = [];
        for (let k = 0; k < 10; k++) mine.push((await s.enqueue('loop', { p, k }, { queue: 'loop' })).job.id);
        return mine;
      }),
    );
    const sent = bulks() - before;
    expect(sent).to.be.at.most(40);
    expect(new Set(ids.flat()).size).to.equal(200);
    expect(await count('loop')).to.equal(200);
  });

  it('never puts more than enqueueBatchMax jobs in one bulk', async () => {
    const s = scheduler({ enqueueConcurrency: 1, enqueueBatchMax: 7 });
    const before = bulks();
    await Promise.all(Array.from({ length: 30 }, (_, i) => s.enqueue('cap', { i }, { queue: 'cap' })));
    expect(bulks() - before).to.equal(5);
    expect(await count('cap')).to.equal(30);
  });

  it('the same jobId enqueued concurrently is one job: one caller created, the others existing', async () => {
    const bus = new EventBus();
    const dup: boolean[] = [];
    bus.on('job:enqueued', (e) => {
      if (e.jobId === 'same') dup.push(e.duplicate);
    });
    const s = scheduler({ events: bus });
    const results = await Promise.all([
      s.enqueue('d', { n: 1 }, { queue: 'dup', jobId: 'same' }),
      s.enqueue('d', { n: 2 }, { queue: 'dup' }),
      s.enqueue('d', { n: 3 }, { queue: 'dup', jobId: 'same' }),
      s.enqueue('d', { n: 4 }, { queue: 'dup', jobId: 'same' }),
    ]);
    const same = [results[0], results[2], results[3]];
    expect(same.map((r) => r?.created)).to.deep.equal([true, false, false]);
    // Everyone sees the job that was stored: the first one's payload.
    expect(same.map((r) => r?.job.doc.payload)).to.deep.equal([{ n: 1 }, { n: 1 }, { n: 1 }]);
    expect(results[1]?.created).to.equal(true);
    expect(dup.sort()).to.deep.equal([false, true, true]);
    expect(await count('dup')).to.equal(2);
  });

  it('a bad enqueue throws its own ValidationError and does not disturb the others of its turn', async () => {
    const s = scheduler();
    const outcomes = await Promise.allSettled([
      s.enqueue('ok', { a: 1 }, { queue: 'mixed' }),
      s.enqueue('ok', { big: 10n }, { queue: 'mixed' }),
      s.enqueue('', {}, { queue: 'mixed' }),
      s.enqueue('ok', {}, { queue: 'mixed', priority: 1.5 }),
      s.enqueue('ok', { a: 2 }, { queue: 'mixed' }),
    ]);
    expect(outcomes.map((o) => o.status)).to.deep.equal(['fulfilled', 'rejected', 'rejected', 'rejected', 'fulfilled']);
    const reasons = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason as unknown] : []));
    expect(reasons.every((r) => r instanceof ValidationError)).to.equal(true);
    expect(reasons.map((r) => (r as ValidationError).message)).to.satisfy((m: string[]) => m[0]?.includes('enqueue.payload.big') && m[1]?.includes('enqueue.name') && m[2]?.includes('enqueue.options.priority'));
    expect(await count('mixed')).to.equal(2);
  });

  it('a request that fails rejects exactly the callers in it; nothing is half-reported', async () => {
    const s = scheduler({ enqueueConcurrency: 1 });
    await s.enqueue('warm', {}, { queue: 'warm' });
    // 500 is not retried by the client: the whole bulk fails.
    faults.setRule('bulk', { errorProbability: 1, errorStatus: 500 });
    const failed = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => s.enqueue('f', { i }, { queue: 'fail' })));
    expect(failed.every((o) => o.status === 'rejected')).to.equal(true);
    faults.setRule('bulk', undefined);
    const ok = await Promise.all(Array.from({ length: 10 }, (_, i) => s.enqueue('f', { i }, { queue: 'fail' })));
    expect(ok.every((r) => r.created)).to.equal(true);
    expect(await count('fail')).to.equal(10);
  });

  it('a rejected (429) shared bulk is retried: every caller ends created, none twice', async () => {
    const s = scheduler({ enqueueConcurrency: 1 });
    let rejectNext = true;
    const rejecting = new Faults({ byKind: { bulk: { rejectProbability: 0.5 } } }, () => {
      const r = rejectNext ? 0 : 0.99;
      rejectNext = false;
      return r;
    });
    rejecting.attach(engine);
    const c = embeddedClient(engine, { faults: rejecting });
    try {
      const s2 = new Scheduler({ es: createBackendContext({ client: c, prefix }), bootstrap: false, enqueueConcurrency: 1 });
      schedulers.push(s2);
      const results = await Promise.all(Array.from({ length: 25 }, (_, i) => s2.enqueue('r', { i }, { queue: 'retry', jobId: `r-${i}` })));
      expect(rejecting.counts.rejected).to.equal(1);
      expect(results.map((r) => r.created)).to.deep.equal(Array.from({ length: 25 }, () => true));
      expect(await count('retry')).to.equal(25);
      // Same ids again through the first scheduler: all existing, nothing new.
      const again = await Promise.all(Array.from({ length: 25 }, (_, i) => s.enqueue('r', { i }, { queue: 'retry', jobId: `r-${i}` })));
      expect(again.every((r) => !r.created)).to.equal(true);
      expect(await count('retry')).to.equal(25);
    } finally {
      await c.close();
    }
  });

  it('stop() waits for enqueues still in flight', async () => {
    const s = new Scheduler({ es: ctx, bootstrap: false });
    faults.setRule('bulk', { latencyMs: 50 });
    const pending = Promise.all(Array.from({ length: 5 }, (_, i) => s.enqueue('s', { i }, { queue: 'stop' })));
    await new Promise((r) => setImmediate(r));
    await s.stop();
    const results = await pending;
    expect(results.every((r) => r.created)).to.equal(true);
    faults.setRule('bulk', undefined);
    expect(await count('stop')).to.equal(5);
  });

  it('enqueueMany over 10,000 items is refused whole; options are validated with their names', async () => {
    const s = scheduler();
    await s.enqueueMany(Array.from({ length: 10_001 }, () => ({ name: 'x' }))).then(
      () => expect.fail('accepted 10,001 jobs'),
      (err: unknown) => expect(err).to.be.instanceOf(ValidationError).with.property('message').that.matches(/enqueueMany: at most 10000 per call.*10001 jobs/),
    );
    expect(() => new Scheduler({ es: ctx, enqueueConcurrency: 0 })).to.throw(ValidationError, /enqueueConcurrency.*0/);
    expect(() => new Scheduler({ es: ctx, enqueueBatchMax: 1.5 })).to.throw(ValidationError, /enqueueBatchMax.*1\.5/);
  });

  it('the 8.x client sends the same bulk body: enqueue and enqueueMany work through it', async () => {
    const c8 = embeddedClient8(engine);
    try {
      // The 8.x client's types differ nominally; the backend only needs the shared surface.
      const ctx8 = createBackendContext({ client: c8 as unknown as typeof client, prefix });
      const s = new Scheduler({ es: ctx8, bootstrap: false });
      schedulers.push(s);
      const one = await s.enqueue('eight', { a: 'ü"\n' }, { queue: 'eight', jobId: 'id "quoted" ü' });
      const many = await s.enqueueMany(Array.from({ length: 20 }, (_, i) => ({ name: 'eight', payload: { i }, options: { queue: 'eight' } })));
      expect(one.created).to.equal(true);
      expect(many.every((o) => o.status === 'created')).to.equal(true);
      const stored = await client.get({ index: `${prefix}-jobs`, id: 'id "quoted" ü' });
      expect((stored._source as { payload: unknown }).payload).to.deep.equal({ a: 'ü"\n' });
      expect(await count('eight')).to.equal(21);
    } finally {
      await c8.close();
    }
  });
});
