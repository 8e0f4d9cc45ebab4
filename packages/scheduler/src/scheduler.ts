/**
 * The producer side of esjobs: `enqueue` / `enqueueMany`, recurring schedules, and the fire loop.
 *
 * Fires are exactly once with any number of schedulers and no leader: each fire is enqueued with
 * the deterministic id `<schedule>:<fire time ISO>` by `create` (a 409 means another scheduler
 * already did it), and each schedule's nextFireAt only moves forward through a conditional
 * write on the version that was read in real time.
 *
 * Fired jobs see their fire time: the job document has `fireTime` and `scheduleName`, and when the
 * schedule's payload is an object (the default `{}`), the fired job's payload is that object plus
 * `fireTime` (ISO-8601) and `scheduleName` (see `FIRE_FIELDS`).
 */
import {
  type BackendContext,
  type EnqueueOutcome,
  type EnqueueResult,
  type JobOptions,
  type JobType,
  type NewJob,
  type PayloadOf,
  type StoredSchedule,
  type ScheduleAdvance,
  EventBus,
  JobStore,
  MAX_BATCH,
  ValidationError,
  advanceSchedules,
  bootstrap,
  createBackendContext,
  createClient,
  deleteSchedule,
  enqueueJobs,
  errorInfo,
  getSchedules,
  listScheduleDocuments,
  putSchedule,
  toMs,
} from '@esjobs/core';
import { compileCron } from './cron.js';
import { EnqueueBatcher } from './enqueue-batcher.js';
import { type EnqueueItem, prepareJob } from './prepare-job.js';
import { planFires } from './fire-plan.js';
import { isBackendContext, validate, type ResolvedSchedulerOptions, type SchedulerOptions } from './options.js';
import { type MisfirePolicy, type ScheduleDefinition, sameDefinition, scheduleDocument, validateSchedule, validateScheduleName } from './schedule-definition.js';

/** Keys the scheduler adds to object payloads of fired jobs. */
export const FIRE_FIELDS = { fireTime: 'fireTime', scheduleName: 'scheduleName' } as const;

/** Fields a fired job's object payload carries besides the schedule's payload. */
export interface FireFields {
  /** The cron fire time this job is for (ISO-8601, UTC). */
  readonly fireTime: string;
  readonly scheduleName: string;
}

export type { EnqueueItem } from './prepare-job.js';

/** Per-item outcome of `enqueueMany`: created, existing (same jobId already there), or error (validation or store). */
export type EnqueueManyOutcome = EnqueueOutcome | { readonly status: 'error'; readonly index: number; readonly error: Error };

export interface ScheduleInfo {
  readonly name: string;
  readonly cron: string;
  readonly tz: string;
  readonly jobName: string;
  readonly queue: string;
  readonly priority: number;
  readonly misfire: MisfirePolicy;
  readonly maxMissedFires: number;
  readonly paused: boolean;
  readonly payload: unknown;
  /** Next fire (epoch ms), undefined when paused. */
  readonly nextFireAt: number | undefined;
  readonly lastFireAt: number | undefined;
}

export interface ScheduleResult {
  /** `unchanged`: the same definition was already stored and nothing was written. */
  readonly status: 'created' | 'updated' | 'unchanged';
  readonly schedule: ScheduleInfo;
}

export interface ReconcileResult {
  /** One result per definition, in order. */
  readonly results: readonly ScheduleResult[];
  /** Names of schedules with the same `managedBy` that were no longer defined, now deleted. */
  readonly deleted: readonly string[];
}

export interface FirePassResult {
  /** Fires enqueued by this scheduler (created). */
  readonly created: number;
  /** Fires another scheduler had already enqueued (409 on create). */
  readonly existing: number;
  readonly errors: number;
}

type JobsMap = Readonly<Record<string, JobType<string, never>>>;

const WRITE_ATTEMPTS = 10;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function scheduleInfo(s: StoredSchedule): ScheduleInfo {
  const d = s.doc;
  return {
    name: d.name,
    cron: d.cron,
    tz: d.tz,
    jobName: d.jobName,
    queue: d.queue,
    priority: d.priority,
    misfire: d.misfirePolicy,
    maxMissedFires: d.maxMissedFires ?? 100,
    paused: d.paused,
    payload: d.payload,
    nextFireAt: d.paused ? undefined : toMs(d.nextFireAt),
    lastFireAt: toMs(d.lastFireAt),
  };
}

/** Fired job id: `<schedule>:<fire time ISO>`; the same for every scheduler. */
export function fireJobId(scheduleName: string, fireAt: number): string {
  return `${scheduleName}:${new Date(fireAt).toISOString()}`;
}

export class Scheduler<Jobs extends JobsMap = Readonly<Record<string, JobType>>> {
  readonly options: ResolvedSchedulerOptions;
  readonly ctx: BackendContext;
  readonly events: EventBus;
  readonly store: JobStore;
  private readonly ownedClient: { close(): Promise<void> } | undefined;
  private booted: Promise<void> | undefined;
  /** Latest known version of each schedule (search results and real-time reads, newest seq_no wins). */
  private readonly known = new Map<string, StoredSchedule>();
  /**
   * Schedules whose known version came from search (possibly stale): read in real time before
   * firing. Versions we wrote or read in real time fire without that extra round trip; if another
   * scheduler moved them meanwhile, the creates answer `existing` and the advance 409s.
   */
  private readonly unverified = new Set<string>();
  private loop: Promise<void> | undefined;
  private stopController: AbortController | undefined;
  private wakeController = new AbortController();
  private readonly counters = { created: 0, existing: 0, errors: 0, passes: 0 };
  /** Single enqueues made concurrently share bulks. */
  private readonly batcher: EnqueueBatcher;

  constructor(options: SchedulerOptions = {}) {
    this.options = validate(options);
    const es = this.options.es;
    if (isBackendContext(es)) this.ctx = es;
    else {
      const created = createClient({ es });
      if (created.owned) this.ownedClient = created.client;
      this.ctx = createBackendContext({ client: created.client, prefix: this.options.prefix, clock: this.options.clock, ...(created.node === undefined ? {} : { node: created.node }) });
    }
    this.events = this.options.events ?? new EventBus({ clock: this.ctx.clock });
    this.store = new JobStore(this.ctx);
    this.batcher = new EnqueueBatcher((jobs) => enqueueJobs(this.ctx, jobs), this.options.enqueueConcurrency, this.options.enqueueBatchMax);
  }

  /** Fires enqueued so far by this scheduler, fires found already enqueued, errors. */
  get stats(): Readonly<{ created: number; existing: number; errors: number; passes: number }> {
    return { ...this.counters };
  }

  private now(): number {
    return this.ctx.clock.now();
  }

  private ready(): Promise<void> {
    if (!this.options.bootstrap) return Promise.resolve();
    this.booted ??= bootstrap(this.ctx).then(
      () => undefined,
      (err: unknown) => {
        this.booted = undefined;
        throw err;
      },
    );
    return this.booted;
  }

  // ---- enqueue ---------------------------------------------------------------------------------

  /** Enqueue one job. With `options.jobId`, enqueueing the same id again returns the existing job with `created: false`. */
  enqueue<T extends JobType<string, never>>(job: T, payload: PayloadOf<T>, options?: JobOptions): Promise<EnqueueResult>;
  enqueue<N extends keyof Jobs & string>(name: N, payload: PayloadOf<Jobs[N]>, options?: JobOptions): Promise<EnqueueResult>;
  async enqueue(job: string | JobType<string, never>, payload?: unknown, options?: JobOptions): Promise<EnqueueResult> {
    await this.ready();
    const prepared = prepareJob({ name: job, payload, ...(options === undefined ? {} : { options }) }, 'enqueue', this.now(), this.ctx.maxPayloadBytes);
    const out = await this.batcher.add(prepared.job);
    if (out.status === 'error') throw out.error;
    this.emitEnqueued(out, this.now(), prepared.runAtMs);
    return { job: out.job, created: out.status === 'created' };
  }

  /**
   * Enqueue many jobs in one bulk request. Every item gets an outcome, in input order: `created`,
   * `existing` (its jobId was already there: nothing written), or `error` (bad input, naming the
   * item, or a store failure). Valid items are enqueued even when others are invalid.
   */
  async enqueueMany(items: readonly EnqueueItem[]): Promise<EnqueueManyOutcome[]> {
    if (!Array.isArray(items)) throw new ValidationError('enqueueMany', items, 'must be an array of { name, payload, options }');
    if (items.length > MAX_BATCH) throw new ValidationError('enqueueMany', `${items.length} jobs`, `at most ${MAX_BATCH} per call`);
    await this.ready();
    const now = this.now();
    const outcomes: (EnqueueManyOutcome | undefined)[] = new Array<EnqueueManyOutcome | undefined>(items.length).fill(undefined);
    const jobs: NewJob[] = [];
    const positions: number[] = [];
    const runAts: number[] = [];
    const ids = new Set<string>();
    for (let index = 0; index < items.length; index++) {
      const item = items[index];
      try {
        const field = items.length === 1 ? 'enqueue' : `enqueueMany[${index}]`;
        const prepared = prepareJob(item, field, now, this.ctx.maxPayloadBytes);
        if (prepared.explicitId) {
          if (ids.has(prepared.job.id)) throw new ValidationError(`${field}.options.jobId`, prepared.job.id, 'appears twice in the batch');
          ids.add(prepared.job.id);
        }
        jobs.push(prepared.job);
        positions.push(index);
        runAts.push(prepared.runAtMs);
      } catch (err) {
        outcomes[index] = { status: 'error', index, error: err instanceof Error ? err : new Error(String(err)) };
      }
    }
    if (jobs.length > 0) {
      const results = await enqueueJobs(this.ctx, jobs);
      const at = this.now();
      results.forEach((r, k) => {
        const index = positions[k];
        if (index === undefined) return;
        outcomes[index] = r;
        if (r.status !== 'error') this.emitEnqueued(r, at, runAts[k]);
      });
    }
    return outcomes.map((o, index) => o ?? { status: 'error', index, error: new Error('no outcome') });
  }

  /** `runAtMs`: when known (the job we wrote), saves parsing the document's runAt. */
  private emitEnqueued(r: Extract<EnqueueOutcome, { status: 'created' | 'existing' }>, at: number, runAtMs?: number): void {
    const d = r.job.doc;
    this.events.emit('job:enqueued', {
      at,
      jobId: r.job.id,
      name: d.name,
      queue: d.queue,
      priority: d.priority,
      runAt: (r.status === 'created' ? runAtMs : undefined) ?? toMs(d.runAt) ?? at,
      duplicate: r.status === 'existing',
    });
  }

  // ---- schedules -------------------------------------------------------------------------------

  /**
   * Create or update a recurring schedule. The same definition again writes nothing
   * (`unchanged`); a changed cron or time zone recomputes the next fire from now; other changes
   * keep it. A paused schedule stays paused, and a schedule owned by a reconciled set keeps its owner.
   */
  schedule<P>(definition: ScheduleDefinition<P>): Promise<ScheduleResult> {
    return this.upsertSchedule(definition, undefined);
  }

  /**
   * Make the schedules owned by `managedBy` (e.g. `file` for `--schedules FILE`) exactly
   * `definitions`: upsert each (taking ownership), then delete owned schedules no longer defined.
   * Schedules created through `schedule()` (no owner) or owned by another set are never deleted.
   */
  async reconcileSchedules(definitions: readonly ScheduleDefinition<unknown>[], options: { readonly managedBy: string }): Promise<ReconcileResult> {
    const managedBy = options.managedBy;
    if (typeof managedBy !== 'string' || managedBy.length === 0) throw new ValidationError('reconcileSchedules.managedBy', managedBy, 'must be a non-empty string');
    const resolved = definitions.map((d, i) => validateSchedule(d, this.ctx.maxPayloadBytes, `reconcileSchedules[${i}]`));
    const names = new Set<string>();
    for (const [i, s] of resolved.entries()) {
      if (names.has(s.name)) throw new ValidationError(`reconcileSchedules[${i}].name`, s.name, 'appears twice');
      names.add(s.name);
    }
    const results: ScheduleResult[] = [];
    for (const d of definitions) results.push(await this.upsertSchedule(d, managedBy));
    const deleted: string[] = [];
    for (const stored of await listScheduleDocuments(this.ctx, { fresh: true })) {
      if (stored.doc.managedBy !== managedBy || names.has(stored.doc.name)) continue;
      if (await this.unschedule(stored.doc.name)) deleted.push(stored.doc.name);
    }
    return { results, deleted };
  }

  private async upsertSchedule<P>(definition: ScheduleDefinition<P>, managedBy: string | undefined): Promise<ScheduleResult> {
    const s = validateSchedule(definition, this.ctx.maxPayloadBytes);
    await this.ready();
    for (let attempt = 0; attempt < WRITE_ATTEMPTS; attempt++) {
      const now = this.now();
      const nowIso = new Date(now).toISOString();
      const current = (await getSchedules(this.ctx, [s.name])).get(s.name);
      if (current === undefined) {
        const doc = scheduleDocument(s, { nextFireAt: s.compiled.next(now), createdAt: nowIso, updatedAt: nowIso, paused: false, managedBy });
        const res = await putSchedule(this.ctx, doc, 'create');
        if (res.ok) return this.remember({ doc, token: res.token }, 'created');
        continue;
      }
      const old = current.doc;
      const timingChanged = old.cron !== s.compiled.cron || old.tz !== s.compiled.tz;
      const candidate = scheduleDocument(s, {
        nextFireAt: timingChanged || old.nextFireAt === undefined ? s.compiled.next(now) : toMs(old.nextFireAt),
        createdAt: old.createdAt,
        updatedAt: nowIso,
        paused: old.paused,
        managedBy: managedBy ?? old.managedBy,
        ...(old.lastFireAt === undefined ? {} : { lastFireAt: old.lastFireAt }),
      });
      if (sameDefinition(old, candidate)) return this.remember(current, 'unchanged');
      const res = await putSchedule(this.ctx, candidate, current.token);
      if (res.ok) return this.remember({ doc: candidate, token: res.token }, 'updated');
    }
    throw new ValidationError('schedule.name', s.name, `kept changing underneath after ${WRITE_ATTEMPTS} attempts`);
  }

  /** Delete a schedule; false when there was none. Fires already enqueued stay. */
  async unschedule(name: string): Promise<boolean> {
    validateScheduleName(name, 'unschedule.name');
    await this.ready();
    const deleted = await deleteSchedule(this.ctx, name);
    this.known.delete(name);
    this.unverified.delete(name);
    this.wake();
    return deleted;
  }

  /** Stop firing (fires while paused are never made up); false when there is no such schedule. */
  pauseSchedule(name: string): Promise<boolean> {
    return this.setPaused(validateScheduleName(name, 'pauseSchedule.name'), true);
  }

  /** Fire again, from the next fire after now; false when there is no such schedule. */
  resumeSchedule(name: string): Promise<boolean> {
    return this.setPaused(validateScheduleName(name, 'resumeSchedule.name'), false);
  }

  private async setPaused(name: string, paused: boolean): Promise<boolean> {
    await this.ready();
    for (let attempt = 0; attempt < WRITE_ATTEMPTS; attempt++) {
      const current = (await getSchedules(this.ctx, [name])).get(name);
      if (current === undefined) return false;
      if (current.doc.paused === paused) {
        this.remember(current, 'unchanged');
        return true;
      }
      const now = this.now();
      const next = paused ? toMs(current.doc.nextFireAt) : compileCron(current.doc.cron, current.doc.tz).next(now);
      const { nextFireAt: _drop, ...rest } = current.doc;
      const doc = { ...rest, paused, updatedAt: new Date(now).toISOString(), ...(next === undefined ? {} : { nextFireAt: new Date(next).toISOString() }) };
      const res = await putSchedule(this.ctx, doc, current.token);
      if (res.ok) {
        this.remember({ doc, token: res.token }, 'updated');
        return true;
      }
    }
    throw new ValidationError('name', name, `kept changing underneath after ${WRITE_ATTEMPTS} attempts`);
  }

  /** Every schedule with its next fire time, sorted by next fire (paused last). */
  async listSchedules(): Promise<ScheduleInfo[]> {
    await this.ready();
    const list = await listScheduleDocuments(this.ctx, { fresh: true });
    return list.map(scheduleInfo).sort((a, b) => (a.nextFireAt ?? Infinity) - (b.nextFireAt ?? Infinity) || a.name.localeCompare(b.name));
  }

  /** One schedule, read in real time, or undefined. */
  async getSchedule(name: string): Promise<ScheduleInfo | undefined> {
    await this.ready();
    const s = (await getSchedules(this.ctx, [validateScheduleName(name, 'getSchedule.name')])).get(name);
    return s === undefined ? undefined : scheduleInfo(s);
  }

  private remember(s: StoredSchedule, status: ScheduleResult['status']): ScheduleResult {
    this.learn(s);
    this.wake();
    return { status, schedule: scheduleInfo(s) };
  }

  private learn(s: StoredSchedule, fromSearch = false): void {
    const prev = this.known.get(s.doc.name);
    const newer = prev === undefined || prev.token.primaryTerm < s.token.primaryTerm || (prev.token.primaryTerm === s.token.primaryTerm && prev.token.seqNo < s.token.seqNo);
    const same = prev !== undefined && prev.token.primaryTerm === s.token.primaryTerm && prev.token.seqNo === s.token.seqNo;
    if (newer) {
      this.known.set(s.doc.name, s);
      if (fromSearch) this.unverified.add(s.doc.name);
      else this.unverified.delete(s.doc.name);
    } else if (same && !fromSearch) this.unverified.delete(s.doc.name);
  }

  // ---- the fire loop ---------------------------------------------------------------------------

  /** Start the fire loop (no-op when running). Resolves once the indices are ready. */
  async start(): Promise<void> {
    if (this.loop !== undefined) return;
    await this.ready();
    const stop = new AbortController();
    this.stopController = stop;
    this.loop = this.run(stop.signal);
  }

  /** Stop the loop, wait for the pass in progress, and close a client the scheduler created. */
  async stop(): Promise<void> {
    this.stopController?.abort();
    this.wake();
    await this.loop;
    this.loop = undefined;
    this.stopController = undefined;
    await this.batcher.drain();
    await this.store.close();
    await this.ownedClient?.close();
  }

  private wake(): void {
    this.wakeController.abort();
  }

  private async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      this.wakeController = new AbortController();
      let delay: number;
      try {
        await this.firePass();
        delay = this.sleepMs();
      } catch (err) {
        this.events.emit('error', { at: this.now(), component: 'scheduler', error: errorInfo(err) });
        delay = this.options.retryDelayMs;
      }
      if (signal.aborted) break;
      try {
        await this.ctx.clock.sleep(delay, AbortSignal.any([signal, this.wakeController.signal]));
      } catch {
        // woken: schedules changed or stopping
      }
    }
  }

  /** Until the earliest known fire, at most maxSleepMs (to see other processes' schedules). */
  private sleepMs(): number {
    let earliest = Infinity;
    for (const s of this.known.values()) {
      const t = s.doc.paused ? undefined : toMs(s.doc.nextFireAt);
      if (t !== undefined && t < earliest) earliest = t;
    }
    return Math.max(0, Math.min(this.options.maxSleepMs, earliest - this.now()));
  }

  /**
   * One pass: fire what is due among known schedules, refresh the list by search, fire what that
   * revealed. The loop calls it; tests with a ManualClock call it directly.
   */
  async firePass(): Promise<FirePassResult> {
    await this.ready();
    this.counters.passes++;
    const first = await this.fireDue();
    const listed = await listScheduleDocuments(this.ctx);
    for (const s of listed) this.learn(s, true);
    // Missing from search: deleted elsewhere, or just too new to be searchable. Read it in real
    // time before its next fire to tell which.
    const names = new Set(listed.map((s) => s.doc.name));
    for (const name of this.known.keys()) if (!names.has(name)) this.unverified.add(name);
    const second = await this.fireDue();
    return { created: first.created + second.created, existing: first.existing + second.existing, errors: first.errors + second.errors };
  }

  private async fireDue(): Promise<FirePassResult> {
    const now = this.now();
    const due = [...this.known.values()].filter((s) => !s.doc.paused && (toMs(s.doc.nextFireAt) ?? Infinity) <= now).map((s) => s.doc.name);
    const result = { created: 0, existing: 0, errors: 0 };
    if (due.length === 0) return result;
    // Real-time reads for what only search told us: another scheduler may have advanced it since.
    const toRead = due.filter((name) => this.unverified.has(name));
    const read = await getSchedules(this.ctx, toRead);
    for (const name of toRead) {
      const s = read.get(name);
      if (s === undefined) {
        this.known.delete(name);
        this.unverified.delete(name);
      } else this.learn(s);
    }
    const fresh = new Map<string, StoredSchedule>();
    for (const name of due) {
      const s = this.known.get(name);
      if (s !== undefined) fresh.set(name, s);
    }
    const plans: { s: StoredSchedule; fires: readonly number[]; misfire: boolean; nextFireAt: number | undefined; first: number }[] = [];
    const jobs: { name: string; payload: unknown; options: JobOptions }[] = [];
    for (const s of fresh.values()) {
      const next = toMs(s.doc.nextFireAt);
      if (s.doc.paused || next === undefined || next > now) continue;
      let cron;
      try {
        cron = compileCron(s.doc.cron, s.doc.tz);
      } catch (err) {
        this.events.emit('error', { at: now, component: 'scheduler', error: errorInfo(err) });
        continue;
      }
      const plan = planFires({ cron, nextFireAt: next, now, misfireGraceMs: this.options.misfireGraceMs, policy: s.doc.misfirePolicy, maxMissedFires: s.doc.maxMissedFires ?? 100 });
      plans.push({ s, fires: plan.fires, misfire: plan.misfire, nextFireAt: plan.nextFireAt, first: jobs.length });
      for (const fireAt of plan.fires) jobs.push(this.fireJob(s, fireAt));
    }
    const outcomes = jobs.length === 0 ? [] : await this.store.enqueueMany(jobs);
    const advances: ScheduleAdvance[] = [];
    for (const p of plans) {
      const mine = outcomes.slice(p.first, p.first + p.fires.length);
      let ok = true;
      mine.forEach((o, k) => {
        const fireAt = p.fires[k] ?? 0;
        if (o.status === 'error') {
          ok = false;
          result.errors++;
          this.events.emit('error', { at: this.now(), component: 'scheduler', jobId: o.id, error: errorInfo(o.error) });
          return;
        }
        if (o.status === 'created') result.created++;
        else result.existing++;
        if (o.status === 'created') this.emitEnqueued(o, this.now());
        this.events.emit('schedule:fired', {
          at: this.now(),
          scheduleId: p.s.doc.name,
          name: p.s.doc.jobName,
          queue: p.s.doc.queue,
          fireAt,
          jobId: o.job.id,
          created: o.status === 'created',
          misfire: p.misfire,
        });
      });
      // Not advanced on error: the next pass enqueues the same ids again (idempotent).
      if (!ok || p.nextFireAt === undefined) continue;
      const last = p.fires.at(-1);
      advances.push({
        name: p.s.doc.name,
        token: p.s.token,
        nextFireAt: new Date(p.nextFireAt).toISOString(),
        updatedAt: new Date(this.now()).toISOString(),
        ...(last === undefined ? {} : { lastFireAt: new Date(last).toISOString() }),
      });
    }
    const advanced = await advanceSchedules(this.ctx, advances);
    advanced.forEach((a, k) => {
      const item = advances[k];
      if (item === undefined) return;
      const prev = this.known.get(item.name);
      if (a.status === 'advanced' && prev !== undefined) {
        this.known.set(item.name, { doc: { ...prev.doc, nextFireAt: item.nextFireAt, ...(item.lastFireAt === undefined ? {} : { lastFireAt: item.lastFireAt }) }, token: a.token });
      } else if (a.status !== 'advanced') {
        // Someone else moved it (or it was deleted): forget our copy, the next read has the truth.
        this.known.delete(item.name);
        this.unverified.delete(item.name);
        if (a.status === 'error') this.events.emit('error', { at: this.now(), component: 'scheduler', error: errorInfo(a.error) });
      }
    });
    this.counters.created += result.created;
    this.counters.existing += result.existing;
    this.counters.errors += result.errors;
    return result;
  }

  private fireJob(s: StoredSchedule, fireAt: number): { name: string; payload: unknown; options: JobOptions } {
    const d = s.doc;
    const fireTime = new Date(fireAt).toISOString();
    const payload = isPlainObject(d.payload) ? { ...d.payload, [FIRE_FIELDS.fireTime]: fireTime, [FIRE_FIELDS.scheduleName]: d.name } : d.payload;
    return {
      name: d.jobName,
      payload,
      options: {
        ...(d.jobOptions as JobOptions | undefined),
        jobId: fireJobId(d.name, fireAt),
        queue: d.queue,
        priority: d.priority,
        scheduleName: d.name,
        fireTime: fireAt,
        // Due at its fire time: a catch-up fire runs at once.
        runAt: Math.min(fireAt, this.now()),
      },
    };
  }
}
