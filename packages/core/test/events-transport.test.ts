import { expect } from 'chai';
import { createBackendContext } from '../src/backend/create-context.js';
import type { BackendContext } from '../src/backend/context.js';
import { eventsWrite } from '../src/backend/events-write.js';
import { ManualClock, type Clock } from '../src/clock.js';
import { eventId, type EventDoc } from '../src/events/event-doc.js';
import { createEventBus, type EventBus, type EventName, type EsJobsEvents } from '../src/events/event-map.js';
import { createEsEventTransport, type EsEventTransport } from '../src/events/es-transport.js';
import { purgeEvents } from '../src/events/retention.js';
import { emitBackpressureEvents } from '../src/events/backpressure-events.js';
import { eventsGet } from '../src/backend/events-get.js';
import type { BackpressureEvent } from '../src/events/event-map.js';
import { eventsMappings, eventsSettings } from '../src/indices/events.js';
import { forEachTarget } from '../../../test/support/targets.js';
import { uniquePrefix } from '../../../test/support/prefix.js';

interface Seen {
  readonly type: EventName;
  readonly jobId: string;
  readonly step: number;
  readonly origin: string | undefined;
}

function record(bus: EventBus, into: Seen[]): void {
  for (const type of ['job:enqueued', 'job:active', 'job:progress', 'job:completed'] as const) {
    bus.on(type, (e: EsJobsEvents[typeof type]) => {
      const step = type === 'job:progress' ? Number((e as EsJobsEvents['job:progress']).progress) : 0;
      into.push({ type, jobId: e.jobId, step, origin: e.origin });
    });
  }
}

/** Emit a job's life: enqueued, active, progress 1..n, completed. */
function emitJob(bus: EventBus, jobId: string, progressSteps: number, at: number): void {
  const base = { jobId, name: 'email', queue: 'default' };
  bus.emit('job:enqueued', { ...base, at, priority: 0, runAt: at, duplicate: false });
  bus.emit('job:active', { ...base, at: at + 1, attempt: 1, workerId: 'w', leaseExpiresAt: at + 30_000, waitedMs: 1 });
  for (let s = 1; s <= progressSteps; s++) bus.emit('job:progress', { ...base, at: at + 1 + s, attempt: 1, workerId: 'w', progress: s });
  bus.emit('job:completed', { ...base, at: at + 2 + progressSteps, attempt: 1, workerId: 'w', durationMs: 2 });
}

function expectedLife(jobId: string, progressSteps: number): string[] {
  return ['job:enqueued:0', 'job:active:0', ...Array.from({ length: progressSteps }, (_, i) => `job:progress:${i + 1}`), 'job:completed:0'].map(
    (s) => `${jobId}/${s}`,
  );
}

function perJob(seen: readonly Seen[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const s of seen) {
    const list = out.get(s.jobId) ?? [];
    list.push(`${s.jobId}/${s.type}:${s.step}`);
    out.set(s.jobId, list);
  }
  return out;
}

async function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

forEachTarget((target) => {
  const transports: EsEventTransport[] = [];

  function context(p: string, clock?: Clock): BackendContext {
    // A client per context: each stands for a separate process.
    return createBackendContext({ client: target.client(), prefix: p, ...(clock === undefined ? {} : { clock }) });
  }

  async function freshPrefix(): Promise<string> {
    const p = uniquePrefix('events');
    await target.client().indices.create({ index: `${p}-events`, mappings: eventsMappings, settings: { ...eventsSettings, refresh_interval: '50ms' } });
    return p;
  }

  async function refresh(p: string): Promise<void> {
    await target.client().indices.refresh({ index: `${p}-events` });
  }

  function setRefreshDelay(ms: number): void {
    target.engine?.setRefreshDelay(ms);
  }

  /** Test body that always closes its transports (the leak check runs before suite afterEach hooks). */
  function closing(body: (this: Mocha.Context) => Promise<void>): (this: Mocha.Context) => Promise<void> {
    return async function (this: Mocha.Context) {
      try {
        await body.call(this);
      } finally {
        await Promise.all(transports.splice(0).map((t) => t.close()));
        setRefreshDelay(0);
      }
    };
  }

  function transport(ctx: BackendContext, bus: EventBus, origin: string): EsEventTransport {
    const t = createEsEventTransport({ ctx, bus, origin, flushEvery: 5, pollEvery: 20, since: 0, gapTimeout: 5_000 });
    transports.push(t.start());
    return t;
  }

  async function exchange(refreshDelayMs: number): Promise<void> {
    const p = await freshPrefix();
    setRefreshDelay(refreshDelayMs);
    const bus1 = createEventBus();
    const bus2 = createEventBus();
    const seen1: Seen[] = [];
    const seen2: Seen[] = [];
    record(bus1, seen1);
    record(bus2, seen2);
    transport(context(p), bus1, 'proc-1');
    transport(context(p), bus2, 'proc-2');
    const jobs = 30;
    const steps = 3;
    const perLife = steps + 3;
    const now = Date.now();
    for (let j = 0; j < jobs; j++) {
      emitJob(bus1, `p1-job-${j}`, steps, now + j);
      emitJob(bus2, `p2-job-${j}`, steps, now + j);
      if (j % 7 === 0) await new Promise((resolve) => setTimeout(resolve, 3));
    }
    const total = jobs * perLife;
    await until(() => seen1.length >= 2 * total && seen2.length >= 2 * total, 20_000, 'both buses to see every event');
    await new Promise((resolve) => setTimeout(resolve, 300 + refreshDelayMs)); // room for duplicates to show up
    for (const [seen, self, other] of [
      [seen1, 'p1', 'proc-2'],
      [seen2, 'p2', 'proc-1'],
    ] as const) {
      expect(seen).to.have.length(2 * total); // own events once (local), the other's once (remote), no echo
      const local = seen.filter((s) => s.origin === undefined);
      const remote = seen.filter((s) => s.origin !== undefined);
      expect(local.every((s) => s.jobId.startsWith(`${self}-`))).to.equal(true);
      expect(remote.every((s) => s.origin === other && !s.jobId.startsWith(`${self}-`))).to.equal(true);
      const byJob = perJob(remote);
      expect(byJob.size).to.equal(jobs);
      for (const [jobId, list] of byJob) expect(list, jobId).to.deep.equal(expectedLife(jobId, steps));
    }
  }

  it(
    'carries events both ways exactly once and in order per job, without echo',
    closing(async function () {
        await exchange(0);
    }),
  );

  it(
    'still delivers exactly once and in order when refreshes are delayed',
    closing(async function () {
        if (target.engine === undefined) this.skip(); // needs the engine's refresh-delay fault
        await exchange(400);
    }),
  );

  function progressDoc(origin: string, seq: number): EventDoc {
    return {
      eventId: eventId(origin, seq),
      origin,
      seq,
      type: 'job:progress',
      at: 1_000 + seq,
      jobId: 'j',
      queue: 'q',
      payload: { at: 1_000 + seq, jobId: 'j', name: 'n', queue: 'q', attempt: 1, workerId: 'w', progress: seq },
    };
  }

  it(
    'fills sequence holes by id when documents become visible out of order',
    closing(async function () {
        if (target.engine === undefined) this.skip(); // needs the engine's refresh-delay fault
        const p = await freshPrefix();
        const writerCtx = context(p);
        const bus = createEventBus();
        const seen: Seen[] = [];
        record(bus, seen);
        const reader = createEsEventTransport({ ctx: context(p), bus, origin: 'reader', publish: false, since: 0, gapTimeout: 60_000 });
        transports.push(reader);
        await eventsWrite(writerCtx, [progressDoc('writer', 1)]);
        await refresh(p);
        expect(await reader.poll()).to.equal(1);
        // 4..6 become searchable; 2..3 are written (real-time GET sees them) but not refreshed.
        await eventsWrite(writerCtx, [4, 5, 6].map((s) => progressDoc('writer', s)));
        await refresh(p);
        setRefreshDelay(60_000);
        await eventsWrite(writerCtx, [2, 3].map((s) => progressDoc('writer', s)));
        expect(await reader.poll()).to.equal(5);
        expect(seen.map((s) => s.step)).to.deep.equal([1, 2, 3, 4, 5, 6]);
        expect(await reader.poll()).to.equal(0);
        expect(reader.stats.tail).to.include({ delivered: 6, skipped: 0 });
    }),
  );

  it(
    'on first sight of an origin, pulls in its preceding events that are not searchable yet',
    closing(async function () {
        if (target.engine === undefined) this.skip(); // needs the engine's refresh-delay fault
        const p = await freshPrefix();
        const writerCtx = context(p);
        const bus = createEventBus();
        const seen: Seen[] = [];
        record(bus, seen);
        const reader = createEsEventTransport({ ctx: context(p), bus, origin: 'reader', publish: false, since: 1_002, gapTimeout: 60_000 });
        transports.push(reader);
        await eventsWrite(writerCtx, [4, 5].map((s) => progressDoc('late', s)));
        await refresh(p);
        setRefreshDelay(60_000);
        await eventsWrite(writerCtx, [1, 2, 3].map((s) => progressDoc('late', s)));
        expect(await reader.poll()).to.equal(4);
        // seq 1 (at 1001) is before `since`, so the backfill stops there.
        expect(seen.map((s) => s.step)).to.deep.equal([2, 3, 4, 5]);
    }),
  );

  it(
    'waits for a missing event, then gives it up after the gap timeout',
    closing(async function () {
        const p = await freshPrefix();
        const clock = new ManualClock(10_000);
        const writerCtx = context(p, clock);
        const doc = (seq: number): EventDoc => ({
          eventId: eventId('lossy', seq),
          origin: 'lossy',
          seq,
          type: 'job:progress',
          at: 1_000 + seq,
          jobId: 'j',
          payload: { at: 1_000 + seq, jobId: 'j', name: 'n', queue: 'q', attempt: 1, workerId: 'w', progress: seq },
        });
        const bus = createEventBus();
        const seen: Seen[] = [];
        record(bus, seen);
        const reader = createEsEventTransport({ ctx: context(p, clock), bus, origin: 'reader', publish: false, since: 0, gapTimeout: 1_000 });
        transports.push(reader);
        await eventsWrite(writerCtx, [doc(1), doc(3), doc(4)]);
        await refresh(p);
        expect(await reader.poll()).to.equal(1); // 1 only: 3 and 4 wait for 2
        clock.advance(500);
        expect(await reader.poll()).to.equal(0);
        clock.advance(600);
        expect(await reader.poll()).to.equal(2);
        expect(seen.map((s) => s.step)).to.deep.equal([1, 3, 4]);
        expect(reader.stats.tail).to.include({ delivered: 3, skipped: 1 });
        // A late 2 is not delivered out of order after the fact.
        await eventsWrite(writerCtx, [doc(2), doc(5)]);
        await refresh(p);
        expect(await reader.poll()).to.equal(1);
        expect(seen.map((s) => s.step)).to.deep.equal([1, 3, 4, 5]);
    }),
  );

  it(
    'reports each push-back of the cluster as a backpressure event',
    closing(async function () {
      const faults = target.faults;
      if (faults === undefined) this.skip(); // needs the engine's fault injection
      const p = await freshPrefix();
      const ctx = context(p);
      const bus = createEventBus();
      const seen: BackpressureEvent[] = [];
      bus.on('backpressure', (e) => void seen.push(e));
      const stop = emitBackpressureEvents(ctx, bus);
      faults?.setRule('mget', { rejectProbability: 1 });
      let failure: unknown;
      await eventsGet(ctx, ['x']).catch((e: unknown) => (failure = e));
      faults?.setRule('mget', undefined);
      stop();
      expect(failure).to.be.instanceOf(Error);
      expect(seen.length).to.be.greaterThan(0);
      expect(seen.every((e) => e.op === 'events-get' && e.status === 429)).to.equal(true);
      expect(seen.some((e) => e.delayMs >= 0 && e.attempt === 1)).to.equal(true);
    }),
  );

  it(
    'purges events older than the retention age',
    closing(async function () {
        const p = await freshPrefix();
        const clock = new ManualClock(Date.UTC(2026, 0, 10));
        const ctx = context(p, clock);
        const day = 86_400_000;
        const docs: EventDoc[] = [3 * day, 2 * day, day + 1, day - 1, 1_000].map((age, i) => ({
          eventId: eventId('old', i + 1),
          origin: 'old',
          seq: i + 1,
          type: 'maintenance',
          at: clock.now() - age,
          payload: { at: clock.now() - age, task: 't', affected: 0, durationMs: 0 },
        }));
        const res = await eventsWrite(ctx, docs);
        expect(res.written).to.have.length(5);
        await refresh(p);
        expect(await purgeEvents(ctx)).to.equal(3);
        await refresh(p);
        const left = await target.client().count({ index: `${p}-events` });
        expect(left.count).to.equal(2);
        expect(await purgeEvents(ctx, { retention: '1s' })).to.equal(1);
    }),
  );
});
