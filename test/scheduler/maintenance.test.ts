import { expect } from 'chai';
import { EventBus, JobStore, ManualClock, createEsEventTransport, jobOptionsWithDefaults, newJobDocument, type JobState, type MaintenanceEvent } from '@esjobs/core';
import { Maintenance, validateMaintenanceOptions } from '@esjobs/scheduler';
import { type SchedTarget, openTarget } from './support.js';

const NOW = Date.UTC(2026, 5, 1, 12);
const H = 3_600_000;

describe('Maintenance: retention, repair, reaping (in-process)', function () {
  this.timeout(20_000);
  let t: SchedTarget;
  const toStop: { stop(): Promise<void> }[] = [];

  beforeEach(async function () {
    t = await openTarget((this.currentTest?.title ?? 'm').slice(0, 6).replace(/[^a-z]/g, 'x'));
  });
  afterEach(async () => {
    await Promise.all(toStop.splice(0).map((s) => s.stop()));
    await t.close();
  });

  function maintenance(clock: ManualClock, options: ConstructorParameters<typeof Maintenance>[1] = {}, owner?: string): { m: Maintenance; bus: EventBus } {
    const bus = new EventBus();
    const m = new Maintenance({ ctx: t.ctx(clock), events: bus, ...(owner === undefined ? {} : { owner }) }, options);
    toStop.push(m);
    return { m, bus };
  }

  /** Write a job directly in the given state, finished at `finishedAt`. */
  async function put(id: string, queue: string, state: JobState, finishedAt?: number): Promise<void> {
    const base = newJobDocument(id, 'j', {}, jobOptionsWithDefaults({ queue }, NOW - 30 * 24 * H), NOW - 30 * 24 * H);
    const doc = { ...base, state, finishedAt: finishedAt === undefined ? null : new Date(finishedAt).toISOString() };
    await t.client.index({ index: `${t.prefix}-jobs`, id, document: doc });
  }

  async function ids(): Promise<string[]> {
    return (await t.jobs()).map((j) => j.id).sort();
  }

  it('deletes completed jobs older than 24 h and failed ones older than 7 days by default, nothing else', async () => {
    await put('c-old-1', 'a', 'completed', NOW - 25 * H);
    await put('c-old-2', 'b', 'completed', NOW - 48 * H);
    await put('c-new', 'a', 'completed', NOW - 23 * H);
    await put('f-old', 'a', 'failed', NOW - 8 * 24 * H);
    await put('f-new', 'a', 'failed', NOW - 6 * 24 * H);
    await put('f-recent', 'b', 'failed', NOW - 25 * H);
    await put('q', 'a', 'queued');
    await put('act', 'a', 'active');
    await t.client.indices.refresh({ index: `${t.prefix}-jobs` });
    const { m, bus } = maintenance(new ManualClock(NOW));
    const events: MaintenanceEvent[] = [];
    bus.on('maintenance', (e) => events.push(e));
    expect(await m.run('jobs-retention')).to.equal(3);
    expect(await ids()).to.deep.equal(['act', 'c-new', 'f-new', 'f-recent', 'q']);
    expect(events.map((e) => [e.task, e.affected])).to.deep.equal([['jobs-retention', 3]]);
  });

  it('keeps the newest N finished jobs per queue (ties broken by jobId), by count alone', async () => {
    for (let i = 0; i < 5; i++) await put(`a-${i}`, 'a', 'completed', NOW - i * H);
    await put('a-tie-x', 'a', 'completed', NOW - H);
    await put('b-0', 'b', 'completed', NOW);
    await put('a-failed', 'a', 'failed', NOW - 10 * H);
    await t.client.indices.refresh({ index: `${t.prefix}-jobs` });
    const { m } = maintenance(new ManualClock(NOW), { completedMaxAge: null, failedMaxAge: null, completedMaxCount: 2 });
    // Newest in queue a: a-0 (NOW), then a-1 and a-tie-x (NOW - 1 h; a-1 < a-tie-x by jobId).
    expect(await m.run('jobs-retention')).to.equal(4);
    expect(await ids()).to.deep.equal(['a-0', 'a-1', 'a-failed', 'b-0']);
  });

  it('validates its options with the field and the value', () => {
    expect(() => validateMaintenanceOptions({ completedMaxAge: 'a while' })).to.throw(/completedMaxAge: not a duration.*"a while"/);
    expect(() => validateMaintenanceOptions({ failedMaxCount: -1 })).to.throw(/failedMaxCount: must be an integer/);
    expect(() => validateMaintenanceOptions({ reapEvery: 5 })).to.throw(/maintenance\.reapEvery: unknown option/);
    expect(validateMaintenanceOptions({}).completedMaxAgeMs).to.equal(24 * H);
    expect(validateMaintenanceOptions({}).failedMaxAgeMs).to.equal(7 * 24 * H);
  });

  it('purges events older than the events retention', async () => {
    const clock = new ManualClock(NOW);
    const ctx = t.ctx(clock);
    const bus = new EventBus({ clock });
    const transport = createEsEventTransport({ ctx, bus, subscribe: false }).start();
    for (const at of [NOW - 3 * H, NOW - 2 * H, NOW - 10_000]) bus.emit('maintenance', { at, task: 'x', affected: 0, durationMs: 0 });
    await transport.close();
    await t.client.indices.refresh({ index: `${t.prefix}-events` });
    const { m } = maintenance(clock, { eventsMaxAge: '1h' });
    expect(await m.run('events-retention')).to.equal(2);
    await t.client.indices.refresh({ index: `${t.prefix}-events` });
    expect((await t.client.count({ index: `${t.prefix}-events` })).count).to.equal(1);
  });

  it('reaps expired leases once per interval across processes (shared reaper lock)', async () => {
    const clock = new ManualClock(NOW);
    const store = new JobStore(t.ctx(clock), { lease: '10s' });
    const { job } = await store.enqueue('slow', null, { attempts: 3 });
    const claimed = await store.claimByIds({ ids: [job.id], queues: ['default'], workerId: 'gone' });
    expect(claimed.jobs).to.have.length(1);
    clock.advance(11_000);
    await t.client.indices.refresh({ index: `${t.prefix}-jobs` });
    const a = maintenance(clock, { reapIntervalMs: 15_000 }, 'sched-a').m;
    const b = maintenance(clock, { reapIntervalMs: 15_000 }, 'sched-b').m;
    expect(await a.runLocked('reap-leases')).to.equal(1);
    expect(await b.runLocked('reap-leases'), 'lock held for this interval').to.equal(undefined);
    expect((await store.getJob(job.id))?.doc).to.include({ state: 'queued', stalls: 1 });
    clock.advance(15_000);
    expect(await b.runLocked('reap-leases'), 'next interval: anyone').to.equal(0);
    await store.close();
  });

  it('repairs a dead-letter move interrupted between the dead write and the delete', async () => {
    const clock = new ManualClock(NOW);
    const store = new JobStore(t.ctx(clock));
    const { job } = await store.enqueue('doomed', null, { queue: 'crash', attempts: 1 });
    const [c] = (await store.claimByIds({ ids: [job.id], queues: ['crash'], workerId: 'w' })).jobs;
    store.deadLetterHooks = {
      afterDeadWrite: () => {
        throw new Error('crash injected');
      },
    };
    if (c === undefined) throw new Error('not claimed');
    await store.fail(c, new Error('boom')).catch(() => undefined);
    await store.close();
    await t.client.indices.refresh({ index: `${t.prefix}-*` });
    const { m } = maintenance(clock);
    expect(await m.run('dead-letter-repair')).to.equal(1);
    await t.client.indices.refresh({ index: `${t.prefix}-*` });
    expect((await t.client.count({ index: `${t.prefix}-jobs` })).count).to.equal(0);
    expect((await t.client.count({ index: `${t.prefix}-dead-crash` })).count).to.equal(1);
  });
});
