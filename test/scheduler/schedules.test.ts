import { expect } from 'chai';
import { EventBus, ManualClock, ValidationError, type JobType, type ScheduleFiredEvent } from '@esjobs/core';
import { Scheduler, fireJobId } from '@esjobs/scheduler';
import { type SchedTarget, openTarget } from './support.js';

const T0 = Date.UTC(2026, 0, 5, 12, 0, 0);

describe('Scheduler: enqueue and schedules (in-process, ManualClock)', function () {
  this.timeout(20_000);
  let t: SchedTarget;
  const schedulers: Scheduler[] = [];

  function scheduler(clock: ManualClock, extra: { events?: EventBus; misfireGraceMs?: number } = {}): Scheduler {
    const s = new Scheduler({ es: t.ctx(clock), bootstrap: false, ...extra });
    schedulers.push(s);
    return s;
  }

  beforeEach(async function () {
    t = await openTarget((this.currentTest?.title ?? 's').slice(0, 6).replace(/[^a-z]/g, 'x'));
  });
  afterEach(async () => {
    await Promise.all(schedulers.splice(0).map((s) => s.stop()));
    await t.close();
  });

  it('enqueues typed jobs, is idempotent by jobId, and emits job:enqueued', async () => {
    const bus = new EventBus();
    const seen: { jobId: string; duplicate: boolean }[] = [];
    bus.on('job:enqueued', (e) => seen.push({ jobId: e.jobId, duplicate: e.duplicate }));
    const s = scheduler(new ManualClock(T0), { events: bus });
    const sendEmail: JobType<'send-email', { to: string }> = { name: 'send-email', queue: 'emails', attempts: 5 };
    const a = await s.enqueue(sendEmail, { to: 'a@b.c' }, { jobId: 'mail-1', priority: 3 });
    expect(a.created).to.equal(true);
    expect(a.job.doc).to.include({ queue: 'emails', maxAttempts: 5, priority: 3, name: 'send-email' });
    // @ts-expect-error payload type comes from the definition
    await s.enqueue(sendEmail, { too: 1 }, { jobId: 'mail-x' }).catch(() => undefined);
    const again = await s.enqueue(sendEmail, { to: 'other' }, { jobId: 'mail-1' });
    expect(again.created).to.equal(false);
    expect(again.job.doc.payload).to.deep.equal({ to: 'a@b.c' });
    const typed = new Scheduler<{ 'send-email': typeof sendEmail }>({ es: t.ctx(), bootstrap: false });
    expect((await typed.enqueue('send-email', { to: 'typed@b.c' })).created).to.equal(true);
    // @ts-expect-error payload type comes from the job map
    expect(await typed.enqueue('send-email', { to: 1 }).then(() => 'ok')).to.equal('ok');
    await typed.stop();
    expect(seen.filter((e) => e.jobId === 'mail-1')).to.deep.equal([
      { jobId: 'mail-1', duplicate: false },
      { jobId: 'mail-1', duplicate: true },
    ]);
  });

  it('enqueueMany reports every item: created, existing, and per-item validation errors', async () => {
    const s = scheduler(new ManualClock(T0));
    await s.enqueue('x', {}, { jobId: 'dup' });
    const out = await s.enqueueMany([
      { name: 'x', payload: { n: 1 } },
      { name: 'x', payload: { n: 2 }, options: { jobId: 'dup' } },
      { name: 'x', payload: { n: 3 }, options: { delay: 'soon' } },
      { name: '', payload: {} },
      { name: 'x', payload: { n: 5 }, options: { delay: '10s' } },
    ]);
    expect(out.map((o) => o.status)).to.deep.equal(['created', 'existing', 'error', 'error', 'created']);
    const bad = out[2];
    expect(bad?.status === 'error' && bad.error).to.be.instanceOf(ValidationError);
    expect(bad?.status === 'error' ? bad.error.message : '').to.match(/enqueueMany\[2\]\.options\.delay.*"soon"/);
    const delayed = out[4];
    expect(delayed?.status === 'created' ? delayed.job.doc.runAt : '').to.equal(new Date(T0 + 10_000).toISOString());
    expect(await t.jobs()).to.have.length(3);
  });

  it('upserts schedules: same definition twice is unchanged, a new cron moves the next fire', async () => {
    const clock = new ManualClock(T0 + 30_000);
    const s = scheduler(clock);
    const def = { name: 'report', cron: '0 */5 * * * *', job: 'build-report', payload: { kind: 'daily' } };
    const first = await s.schedule(def);
    expect(first.status).to.equal('created');
    expect(first.schedule.nextFireAt).to.equal(T0 + 5 * 60_000);
    expect((await s.schedule(def)).status).to.equal('unchanged');
    const changed = await s.schedule({ ...def, cron: '0 0 * * * *' });
    expect(changed.status).to.equal('updated');
    expect(changed.schedule.nextFireAt).to.equal(T0 + 3_600_000);
    const list = await s.listSchedules();
    expect(list.map((l) => l.name)).to.deep.equal(['report']);
    expect(list[0]?.nextFireAt).to.equal(T0 + 3_600_000);
  });

  it('rejects bad definitions with the field, the value and the reason, writing nothing', async () => {
    const s = scheduler(new ManualClock(T0));
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ name: 'a', cron: '61 * * * *', job: 'j' }, /schedule\.cron: invalid cron expression: .*61.*\(got "61 \* \* \* \*"\)/],
      [{ name: 'a', cron: '* * * *', job: 'j' }, /schedule\.cron: has 4 fields/],
      [{ name: 'a', cron: '* * * * *', tz: 'Mars/Olympus', job: 'j' }, /schedule\.tz: unknown time zone.*"Mars\/Olympus"/],
      [{ name: 'a', cron: '* * * * *', job: 'j', misfire: 'sometimes' }, /schedule\.misfire: must be one of once, all, skip/],
      [{ name: '_a', cron: '* * * * *', job: 'j' }, /schedule\.name/],
      [{ name: 'a', cron: '* * * * *', job: 'j', every: 5 }, /schedule\.every: unknown schedule field/],
    ];
    for (const [def, re] of cases) {
      const err = await s.schedule(def as never).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err, JSON.stringify(def)).to.be.instanceOf(ValidationError);
      expect((err as Error).message).to.match(re);
    }
    expect(await s.listSchedules()).to.deep.equal([]);
  });

  it('fires each due time once with its fire time in the payload, pauses and resumes', async () => {
    const clock = new ManualClock(T0);
    const bus = new EventBus();
    const fired: ScheduleFiredEvent[] = [];
    bus.on('schedule:fired', (e) => fired.push(e));
    const s = scheduler(clock, { events: bus });
    await s.schedule({ name: 'tick', cron: '*/10 * * * * *', job: 'tick-job', queue: 'ticks', priority: 7, attempts: 2 });
    clock.set(T0 + 10_000);
    expect((await s.firePass()).created).to.equal(1);
    expect((await s.firePass()).created).to.equal(0);
    clock.set(T0 + 25_000);
    expect((await s.firePass()).created).to.equal(1);
    const jobs = await t.jobs('tick');
    expect(jobs.map((j) => j.id)).to.deep.equal([fireJobId('tick', T0 + 10_000), fireJobId('tick', T0 + 20_000)]);
    const first = jobs[0]?.doc;
    expect(first).to.include({ queue: 'ticks', priority: 7, maxAttempts: 2, fireTime: new Date(T0 + 10_000).toISOString(), scheduleName: 'tick' });
    expect(first?.payload).to.deep.equal({ fireTime: new Date(T0 + 10_000).toISOString(), scheduleName: 'tick' });
    expect(fired.map((f) => [f.fireAt, f.created, f.misfire])).to.deep.equal([
      [T0 + 10_000, true, false],
      [T0 + 20_000, true, false],
    ]);
    expect(await s.pauseSchedule('tick')).to.equal(true);
    clock.set(T0 + 65_000);
    expect((await s.firePass()).created).to.equal(0);
    expect(await s.resumeSchedule('tick')).to.equal(true);
    expect((await s.getSchedule('tick'))?.nextFireAt).to.equal(T0 + 70_000);
    expect(await s.pauseSchedule('nope')).to.equal(false);
    expect(await s.unschedule('tick')).to.equal(true);
    expect(await s.unschedule('tick')).to.equal(false);
    clock.set(T0 + 90_000);
    expect((await s.firePass()).created).to.equal(0);
  });

  it('two schedulers on the same fires enqueue each fire exactly once', async () => {
    const clock = new ManualClock(T0);
    const a = scheduler(clock);
    const b = scheduler(clock);
    await a.schedule({ name: 'race', cron: '* * * * * *', job: 'r' });
    for (let i = 1; i <= 20; i++) {
      clock.set(T0 + i * 1000);
      await Promise.all([a.firePass(), b.firePass()]);
    }
    const jobs = await t.jobs('race');
    expect(jobs).to.have.length(20);
    expect(new Set(jobs.map((j) => j.doc.fireTime)).size).to.equal(20);
    expect(a.stats.created + b.stats.created).to.equal(20);
  });

  it('a schedule paused or deleted by another scheduler stops firing here too', async () => {
    const clock = new ManualClock(T0);
    const a = scheduler(clock);
    const b = scheduler(clock);
    await b.schedule({ name: 'p', cron: '*/10 * * * * *', job: 'p' });
    await b.schedule({ name: 'd', cron: '*/10 * * * * *', job: 'd' });
    expect(await a.pauseSchedule('p')).to.equal(true);
    expect(await a.unschedule('d')).to.equal(true);
    await t.client.indices.refresh({ index: `${t.prefix}-schedules` });
    // b's loop searches after every pass; that search shows it the pause and the deletion.
    await b.firePass();
    clock.set(T0 + 10_000);
    expect(await b.firePass()).to.deep.equal({ created: 0, existing: 0, errors: 0 });
    expect(await t.jobs()).to.deep.equal([]);
  });

  describe('misfire policies after a 10-minute downtime', () => {
    async function downtime(misfire: 'once' | 'all' | 'skip', maxMissedFires?: number): Promise<{ fires: string[]; next: number | undefined; events: ScheduleFiredEvent[] }> {
      const clock = new ManualClock(T0);
      const bus = new EventBus();
      const events: ScheduleFiredEvent[] = [];
      bus.on('schedule:fired', (e) => events.push(e));
      const s = scheduler(clock, { events: bus });
      const name = `m-${misfire}-${maxMissedFires ?? 'd'}`;
      await s.schedule({ name, cron: '0 * * * * *', job: 'm', misfire, ...(maxMissedFires === undefined ? {} : { maxMissedFires }) });
      // Nobody runs from T0 to T0 + 10 min (+5 s).
      clock.set(T0 + 10 * 60_000 + 5_000);
      await s.firePass();
      const jobs = await t.jobs(name);
      return { fires: jobs.map((j) => j.doc.fireTime ?? '').sort(), next: (await s.getSchedule(name))?.nextFireAt, events };
    }
    const iso = (minutes: number): string => new Date(T0 + minutes * 60_000).toISOString();

    it('once (default): one catch-up run for the most recent missed fire', async () => {
      const r = await downtime('once');
      expect(r.fires).to.deep.equal([iso(10)]);
      expect(r.events.map((e) => e.misfire)).to.deep.equal([true]);
      expect(r.next).to.equal(T0 + 11 * 60_000);
    });

    it('all: every missed fire, bounded by maxMissedFires', async () => {
      expect((await downtime('all')).fires).to.deep.equal([1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map(iso));
      const bounded = await downtime('all', 3);
      expect(bounded.fires).to.deep.equal([iso(8), iso(9), iso(10)]);
    });

    it('skip: no catch-up, resumes with the next future fire', async () => {
      const r = await downtime('skip');
      expect(r.fires).to.deep.equal([]);
      expect(r.next).to.equal(T0 + 11 * 60_000);
    });

    it('a scheduler that is merely late (within misfireGraceMs) enqueues every due fire', async () => {
      const clock = new ManualClock(T0);
      const s = scheduler(clock, { misfireGraceMs: 10_000 });
      await s.schedule({ name: 'late', cron: '* * * * * *', job: 'l', misfire: 'skip' });
      clock.set(T0 + 8_000);
      await s.firePass();
      expect(await t.jobs('late')).to.have.length(8);
    });
  });

  describe('daylight saving time (America/New_York, 2026)', () => {
    async function firesBetween(cron: string, from: number, to: number, stepMs: number): Promise<string[]> {
      const clock = new ManualClock(from);
      const s = scheduler(clock);
      const name = `dst-${schedulers.length}`;
      await s.schedule({ name, cron, tz: 'America/New_York', job: 'd' });
      for (let now = from + stepMs; now <= to; now += stepMs) {
        clock.set(now);
        await s.firePass();
      }
      return (await t.jobs(name)).map((j) => j.doc.fireTime ?? '').sort();
    }

    it('spring forward: 02:30 does not exist on March 8 and fires once at 03:30 EDT', async () => {
      const fires = await firesBetween('30 2 * * *', Date.UTC(2026, 2, 7, 12), Date.UTC(2026, 2, 9, 12), 15 * 60_000);
      // 02:30 EST = 07:30Z on the 7th; on the 8th the gap moves it to 03:30 EDT = 07:30Z; 02:30 EDT = 06:30Z on the 9th.
      expect(fires).to.deep.equal(['2026-03-08T07:30:00.000Z', '2026-03-09T06:30:00.000Z']);
    });

    it('fall back: 01:30 happens twice on November 1 and fires once, at the first (EDT)', async () => {
      const fires = await firesBetween('30 1 * * *', Date.UTC(2026, 9, 31, 12), Date.UTC(2026, 10, 2, 12), 15 * 60_000);
      expect(fires).to.deep.equal(['2026-11-01T05:30:00.000Z', '2026-11-02T06:30:00.000Z']);
    });

    it('fall back: an every-30-minutes schedule fires in both repeated hours, evenly spaced', async () => {
      const fires = await firesBetween('*/30 * * * *', Date.UTC(2026, 10, 1, 4, 50), Date.UTC(2026, 10, 1, 7, 10), 5 * 60_000);
      expect(fires).to.deep.equal(['05:00', '05:30', '06:00', '06:30', '07:00'].map((hm) => `2026-11-01T${hm}:00.000Z`));
    });
  });
});
