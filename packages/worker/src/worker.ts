/**
 * The Worker: claims jobs in batches sized to its free slots, runs their handlers under leases,
 * heartbeats every running job in one request per third of the lease, settles outcomes through a
 * buffered bulk writer, reaps stalled jobs under a lock, keeps a registry document, and shuts down
 * gracefully (finish, then release) without losing a job.
 */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
type Client = BackendContext['client'];
import {
  type BackendContext,
  type ClaimedJob,
  EventBus,
  type HeldQueueSlot,
  JobCancelledError,
  JobStore,
  JobTimeoutError,
  LeaseLostError,
  LockManager,
  type SettleOutcome,
  acquireQueueSlots,
  bootstrap,
  createBackendContext,
  createClient,
  errorInfo,
  listWorkers,
  parseDuration,
  releaseQueueSlots,
  removeWorker,
  renewQueueSlots,
  toError,
  toMs,
  upsertWorker,
} from '@esjobs/core';
import type { JsonValue } from '@esjobs/core';
import { ActiveJob } from './active-job.js';
import { planClaims } from './claim-plan.js';
import { ClaimPeers } from './claim-peers.js';
import { childLogger, type Logger } from './logger.js';
import { type ResolvedWorkerOptions, type WorkerOptions, validate } from './options.js';
import { PollDelay } from './poll-delay.js';
import { RunContext, type RunContextHost } from './run-context.js';
import { RunningJobs } from './running-jobs.js';
import { type HandlerOutcome, runHandler } from './run-handler.js';
import { SettleWriter } from './settle-writer.js';
import { WorkerShutdownError } from './shutdown-error.js';

export type WorkerState = 'idle' | 'starting' | 'running' | 'stopping' | 'stopped';

export interface StopOptions {
  /** How long running jobs may finish before they are aborted and released. @defaultValue the worker's shutdownTimeoutMs */
  readonly timeout?: number | string;
}

/** Counters for tests, benchmarks and the registry. */
export interface WorkerStats {
  readonly claimed: number;
  readonly completed: number;
  readonly failed: number;
  readonly released: number;
  readonly leaseLost: number;
  readonly claimRequests: number;
  readonly claimConflicts: number;
}

const REAP_LIMIT = 500;
/** Most job ids remembered for a wake-up (due now, or delayed); beyond it, polling finds them. */
const MAX_WAKES = 10_000;
/** Idle sleeps longer than this first ask the index when the next delayed job is due. */
const NEXT_DUE_MIN_SLEEP_MS = 20;
// A fixed reason: abort() without one builds a DOMException (with a stack) per job.
const RUN_OVER = 'run over';
/** Reason of a wake-up abort, fixed like RUN_OVER (never thrown to users: sleep() swallows it). */
const wakeReason = new Error('woken');
const VERSION = '0.1.0';
/** First re-read of the claimers after start or after the share changed; it then doubles. */
const PEERS_FIRST_REREAD_MS = 250;
/** Registry re-read interval of a worker that is claiming jobs. */
const PEERS_BUSY_REREAD_MS = 1_000;
/** Conflicts and steals trigger a registry re-read at most this often. */
const PEERS_MIN_REREAD_MS = 1_000;

function isBackendContext(es: unknown): es is BackendContext {
  return typeof es === 'object' && es !== null && 'names' in es && 'request' in es && typeof (es as BackendContext).request === 'function';
}

function asJson(value: unknown): JsonValue | undefined {
  if (value === undefined) return undefined;
  try {
    return JSON.parse(JSON.stringify(value)) as JsonValue;
  } catch {
    return undefined;
  }
}

export class Worker {
  readonly id: string;
  readonly events: EventBus;
  readonly ctx: BackendContext;
  private readonly o: ResolvedWorkerOptions;
  private readonly log: Logger;
  private readonly runHost: RunContextHost;
  /** Per-job debug lines are built only when someone reads them. */
  private readonly debugLog: boolean;
  private state: WorkerState = 'idle';
  private readonly active = new RunningJobs();
  private readonly runningByName = new Map<string, number>();
  private running = 0;
  private readonly store: JobStore;
  private readonly poll: PollDelay;
  private readonly settler: SettleWriter;
  private readonly locks: LockManager;
  private readonly wakeIds: string[] = [];
  private readonly wakeIdSet = new Set<string>();
  /** Local enqueues of delayed jobs, soonest first: claimed by id when due. */
  private readonly delayedWake: { readonly id: string; readonly runAt: number }[] = [];
  private wakeController = new AbortController();
  private waitingForSlots = false;
  private backingOff = false;
  private ownedClient: Client | undefined;
  private loopPromise: Promise<void> | undefined;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private heartbeatRunning: Promise<void> | undefined;
  private reapTimer: NodeJS.Timeout | undefined;
  private registryTimer: NodeJS.Timeout | undefined;
  private peersTimer: NodeJS.Timeout | undefined;
  /** When the registry was last read for the partition share. */
  private peersReadAt = 0;
  /** Jobs claimed since the last registry read (a busy worker re-reads every second). */
  private claimedSincePeers = 0;
  private peers: ClaimPeers | undefined;
  private unsubscribe: (() => void) | undefined;
  private stopPromise: Promise<void> | undefined;
  private starting: Promise<void> | undefined;
  private forceStop: (() => void) | undefined;
  /** stop({ timeout: 0 }) arrived during shutdown, perhaps before there was a wait to cut short. */
  private forced = false;
  private readonly finishing = new Set<Promise<void>>();
  private round = 0;
  /** When the last claim round began: jobs due since then may not have been searched for yet. */
  private lastRoundAt: number | undefined;
  private readonly startedAt: number;
  private readonly counters = { claimed: 0, completed: 0, failed: 0, released: 0, leaseLost: 0, claimRequests: 0, claimConflicts: 0 };

  constructor(options: WorkerOptions) {
    this.o = validate(options);
    if (isBackendContext(this.o.es)) this.ctx = this.o.es;
    else {
      const created = createClient({ es: this.o.es });
      if (created.owned) this.ownedClient = created.client;
      this.ctx = createBackendContext({ client: created.client, prefix: this.o.prefix, clock: this.o.clock, ...(created.node === undefined ? {} : { node: created.node }) });
    }
    this.id = this.o.workerId ?? `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
    this.events = this.o.events ?? new EventBus({ clock: this.ctx.clock });
    this.log = childLogger(this.o.logger, { workerId: this.id });
    this.runHost = { workerId: this.id, logger: this.o.logger, progress: (active, value) => this.reportProgress(active, value) };
    this.debugLog = this.o.logger.isLevelEnabled?.('debug') ?? true;
    this.store = new JobStore(this.ctx, { lease: this.o.leaseMs });
    this.settler = new SettleWriter(this.store, this.log, this.o.leaseMs * 2);
    this.poll = new PollDelay(this.o.pollMinMs, this.o.pollMaxMs);
    this.locks = new LockManager({ ctx: this.ctx, bus: this.events, owner: this.id });
    this.startedAt = this.ctx.clock.now();
  }

  get status(): WorkerState {
    return this.state;
  }

  /** Jobs whose handler is running now. */
  get runningCount(): number {
    return this.running;
  }

  get stats(): WorkerStats {
    return { ...this.counters };
  }

  /**
   * This worker's share of the claim partitions as it last read the registry (rank among the
   * running workers of its queues), or undefined before the first read or after a failed one.
   */
  get partitionShare(): { readonly rank: number; readonly of: number } | undefined {
    return this.peers?.share;
  }

  /** Settle requests sent (each carries many completions/failures). */
  get settleRequests(): number {
    return this.settler.requests;
  }

  get options(): ResolvedWorkerOptions {
    return this.o;
  }

  /** Start claiming. Resolves once the worker is registered and its loops run. */
  start(): Promise<void> {
    if (this.state !== 'idle') return Promise.reject(new Error(`worker ${this.id} cannot start: it is ${this.state}`));
    this.starting = this.doStart();
    return this.starting;
  }

  private async doStart(): Promise<void> {
    this.state = 'starting';
    try {
      if (this.o.bootstrap) await bootstrap(this.ctx);
      await this.writeRegistry(true);
    } catch (err) {
      this.state = 'stopped';
      await this.ownedClient?.close().catch(() => undefined);
      throw err;
    }
    this.state = 'running';
    this.subscribeWakeUps();
    this.scheduleHeartbeat();
    this.scheduleReap(0);
    this.scheduleRegistry();
    this.peers = new ClaimPeers(this.id, this.o.queues);
    // Workers started together see each other only after the registry refreshes: look again soon.
    this.schedulePeers(0, PEERS_FIRST_REREAD_MS);
    this.loopPromise = this.claimLoop();
    const host = hostname();
    this.events.emit('worker:online', { at: this.now(), workerId: this.id, host, pid: process.pid, queues: this.o.queues, concurrency: this.o.concurrency });
    this.log.info('worker ready', { queues: this.o.queues, jobs: [...this.o.jobs.keys()], concurrency: this.o.concurrency, leaseMs: this.o.leaseMs, prefix: this.ctx.names.prefix });
  }

  /**
   * Stop claiming, let running jobs finish within `timeout`, then abort the rest and release their
   * leases (no attempt counted) so another worker takes them at once. Calling it again while
   * stopping with a smaller timeout (e.g. 0 on a second signal) shortens the wait.
   */
  stop(options: StopOptions = {}): Promise<void> {
    const timeoutMs = options.timeout === undefined ? this.o.shutdownTimeoutMs : parseDuration('stop.timeout', options.timeout, { allowZero: true });
    if (this.stopPromise !== undefined) {
      if (timeoutMs === 0) {
        this.forced = true;
        this.forceStop?.();
      }
      return this.stopPromise;
    }
    if (this.state === 'idle') {
      this.state = 'stopped';
      this.stopPromise = Promise.resolve();
      return this.stopPromise;
    }
    this.stopPromise = this.shutdown(timeoutMs);
    return this.stopPromise;
  }

  private now(): number {
    return this.ctx.clock.now();
  }

  // ---- claiming ------------------------------------------------------------------------------

  private subscribeWakeUps(): void {
    const names = this.o.jobs;
    const queues = new Set(this.o.queues);
    const listener = (e: { jobId: string; name: string; queue: string; runAt: number; duplicate: boolean; origin?: string }): void => {
      if (e.duplicate || e.origin !== undefined || !queues.has(e.queue) || !names.has(e.name)) return;
      if (this.o.queueLimits.has(e.queue)) return;
      if (e.runAt > this.now()) {
        this.addDelayedWake(e.jobId, e.runAt);
        return;
      }
      if (this.wakeIdSet.has(e.jobId) || this.wakeIds.length >= MAX_WAKES) return;
      this.addWake(e.jobId);
      this.poll.reset();
      if (!this.waitingForSlots) this.wake();
    };
    this.events.on('job:enqueued', listener);
    this.unsubscribe = () => this.events.off('job:enqueued', listener);
  }

  private wake(): void {
    this.wakeController.abort(wakeReason);
  }

  /** Claim `id` by id at the next round. */
  private addWake(id: string): void {
    if (this.wakeIdSet.has(id)) return;
    this.wakeIds.push(id);
    this.wakeIdSet.add(id);
  }

  private addDelayedWake(id: string, runAt: number): void {
    // Bounded: beyond this, the claim loop's next-due search finds them.
    if (this.delayedWake.length >= MAX_WAKES) return;
    let lo = 0;
    let hi = this.delayedWake.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.delayedWake[mid]?.runAt ?? 0) <= runAt) lo = mid + 1;
      else hi = mid;
    }
    this.delayedWake.splice(lo, 0, { id, runAt });
    // Sooner than what the loop sleeps for: let it re-plan.
    if (lo === 0 && !this.waitingForSlots) this.wake();
  }

  /** Move local delayed jobs that are due now to the wake-up list. */
  private releaseDueWakes(): void {
    const now = this.now();
    while (this.delayedWake.length > 0 && (this.delayedWake[0]?.runAt ?? Infinity) <= now && this.wakeIds.length < MAX_WAKES) {
      const next = this.delayedWake.shift();
      if (next !== undefined) this.addWake(next.id);
    }
  }

  /** How long an idle loop may sleep before a known delayed job is due (local enqueues, then the index). */
  private async untilNextDue(delay: number): Promise<number> {
    // The earliest local one, even if it fell due during the last round: then there is no sleep.
    let at = this.delayedWake[0]?.runAt;
    // A search per idle sleep of some length; short sleeps poll anyway.
    if (delay > NEXT_DUE_MIN_SLEEP_MS) {
      try {
        // Due since the last round began counts too: that round's search may have missed it.
        const after = this.lastRoundAt;
        const indexed = await this.store.nextDue({ queues: this.o.queues, jobNames: [...this.o.jobs.keys()], ...(after === undefined ? {} : { after }) });
        if (indexed !== undefined && (at === undefined || indexed < at)) at = indexed;
      } catch (err) {
        this.log.debug('next-due search failed; polling as usual', { error: toError(err).message });
      }
    }
    return at === undefined ? delay : Math.min(delay, Math.max(0, at - this.now()));
  }

  private freeSlots(): number {
    return Math.max(0, this.o.concurrency - this.running);
  }

  private async claimLoop(): Promise<void> {
    while (this.state === 'running') {
      let requested = 0;
      let claimed = 0;
      let conflicts = 0;
      let candidates = 0;
      let failed = false;
      try {
        ({ requested, claimed, conflicts, candidates } = await this.claimRound());
      } catch (err) {
        failed = true;
        this.log.warn('claim failed; backing off', { error: toError(err).message });
        this.events.emit('error', { at: this.now(), component: 'worker', workerId: this.id, error: errorInfo(err) });
      }
      if (this.state !== 'running') break;
      const backoffMs = this.ctx.backpressure.currentBackoffMs;
      let delay = this.poll.next({ requested, claimed, failed, backoffMs, conflicts, candidates });
      if (backoffMs > 0 && !this.backingOff) this.log.warn('cluster pushing back (429/503); polling slower', { backoffMs, delayMs: delay });
      else if (backoffMs === 0 && this.backingOff) this.log.info('cluster pressure cleared; polling normally');
      this.backingOff = backoffMs > 0;
      if (this.wakeIds.length > 0 && this.freeSlots() > 0 && !failed) delay = 0;
      this.waitingForSlots = !failed && this.freeSlots() === 0;
      if (this.waitingForSlots) delay = this.o.pollMaxMs;
      else if (delay > 0 && !failed && backoffMs === 0) delay = await this.untilNextDue(delay);
      if (delay > 0) await this.sleep(delay);
      this.waitingForSlots = false;
    }
  }

  private async sleep(ms: number): Promise<void> {
    // A wake-up that came while the loop was busy (claiming, asking for the next due time) counts.
    if (this.wakeController.signal.aborted) {
      this.wakeController = new AbortController();
      return;
    }
    try {
      await this.ctx.clock.sleep(ms, this.wakeController.signal);
    } catch {
      // woken early
    }
    if (this.wakeController.signal.aborted) this.wakeController = new AbortController();
  }

  private handledNames(): { unlimited: string[]; limited: { name: string; limit: number; running: number }[] } {
    const unlimited: string[] = [];
    const limited: { name: string; limit: number; running: number }[] = [];
    for (const [name, def] of this.o.jobs) {
      if (def.concurrency === undefined) unlimited.push(name);
      else limited.push({ name, limit: def.concurrency, running: this.runningByName.get(name) ?? 0 });
    }
    return { unlimited, limited };
  }

  private async claimRound(): Promise<{ requested: number; claimed: number; conflicts: number; candidates: number }> {
    this.lastRoundAt = this.now();
    this.releaseDueWakes();
    let requested = 0;
    let claimed = 0;
    let conflicts = 0;
    let candidates = 0;
    const advisor = this.ctx.backpressure.batchSize('claim', { max: this.o.concurrency });
    if (this.wakeIds.length > 0 && this.freeSlots() > 0) {
      const r = await this.claimWoken(advisor.limit(this.freeSlots()));
      requested += r.requested;
      claimed += r.claimed;
      conflicts += r.conflicts;
    }
    const names = this.handledNames();
    const groups = planClaims({ queues: this.o.queues, unlimitedNames: names.unlimited, limitedNames: names.limited, queueLimits: this.o.queueLimits, round: this.round++ });
    for (const g of groups) {
      if (this.state !== 'running') break;
      const free = advisor.limit(this.freeSlots());
      const slots = Math.min(free, g.cap);
      if (slots <= 0) continue;
      let held: HeldQueueSlot[] = [];
      let want = slots;
      if (g.limitedQueue !== undefined) {
        held = await acquireQueueSlots(this.ctx, { queue: g.limitedQueue.queue, limit: g.limitedQueue.limit, owner: this.id, wanted: slots, leaseMs: this.o.leaseMs });
        want = held.length;
        if (want === 0) continue;
      }
      const started = this.now();
      requested += want;
      let result;
      const partition = this.peers?.share;
      try {
        result = await this.store.claim({ queues: g.queues, jobNames: g.names, workerId: this.id, slots: Math.min(want, 1000), ...(partition === undefined ? {} : { partition }) });
      } catch (err) {
        if (held.length > 0) await releaseQueueSlots(this.ctx, held).catch(() => undefined);
        throw err;
      }
      this.counters.claimRequests++;
      this.counters.claimConflicts += result.conflicts;
      // Claimers that disagree on who shares the queue overlap (conflicts) or leave slices to
      // stealing: read the registry again soon instead of at the next backed-off re-read.
      if (partition !== undefined && (result.conflicts > 0 || (partition.of > 1 && result.stolen > 0))) this.rereadPeersSoon();
      claimed += result.jobs.length;
      this.claimedSincePeers += result.jobs.length;
      conflicts += result.conflicts;
      candidates += result.candidates;
      const unused = held.slice(result.jobs.length);
      if (unused.length > 0) await releaseQueueSlots(this.ctx, unused).catch((err: unknown) => this.log.warn('could not give back queue slots', { error: toError(err).message }));
      result.jobs.forEach((job, i) => this.startJob(job, held[i]));
      this.events.emit('worker:claim', {
        at: this.now(),
        workerId: this.id,
        queues: g.queues,
        requested: want,
        candidates: result.candidates,
        claimed: result.jobs.length,
        conflicts: result.conflicts,
        latencyMs: this.now() - started,
      });
    }
    return { requested, claimed, conflicts, candidates };
  }

  private async claimWoken(free: number): Promise<{ requested: number; claimed: number; conflicts: number }> {
    const ids: string[] = [];
    const perName = new Map<string, number>();
    while (ids.length < free && this.wakeIds.length > 0) {
      const id = this.wakeIds.shift();
      if (id === undefined) break;
      this.wakeIdSet.delete(id);
      ids.push(id);
    }
    if (ids.length === 0) return { requested: 0, claimed: 0, conflicts: 0 };
    const res = await this.store.claimByIds({ ids, queues: this.o.queues, jobNames: [...this.o.jobs.keys()], workerId: this.id });
    this.counters.claimRequests++;
    this.counters.claimConflicts += res.conflicts;
    const extra: ClaimedJob[] = [];
    for (const job of res.jobs) {
      const def = this.o.jobs.get(job.doc.name);
      const n = (perName.get(job.doc.name) ?? 0) + (this.runningByName.get(job.doc.name) ?? 0);
      // Per-type limits are checked after the fact here: a job over the limit goes back at once.
      if (def?.concurrency !== undefined && n >= def.concurrency) extra.push(job);
      else {
        perName.set(job.doc.name, (perName.get(job.doc.name) ?? 0) + 1);
        this.startJob(job, undefined);
      }
    }
    if (extra.length > 0) await Promise.all(extra.map((job) => this.settler.submit(job, { type: 'release' })));
    return { requested: ids.length, claimed: res.jobs.length - extra.length, conflicts: res.conflicts };
  }

  // ---- running -------------------------------------------------------------------------------

  private startJob(job: ClaimedJob, slot: HeldQueueSlot | undefined): void {
    const def = this.o.jobs.get(job.doc.name);
    const now = this.now();
    const leaseExpiresAt = toMs(job.doc.lease?.expiresAt) ?? now + this.o.leaseMs;
    if (def === undefined) {
      // Cannot happen (claims filter by name); give it back rather than fail it.
      void this.settler.submit(job, { type: 'release' });
      return;
    }
    const active = new ActiveJob(job, def, now, leaseExpiresAt, slot);
    this.active.set(job.id, active);
    this.running++;
    this.runningByName.set(def.name, (this.runningByName.get(def.name) ?? 0) + 1);
    this.counters.claimed++;
    const runAt = toMs(job.doc.runAt) ?? now;
    this.events.emit('job:active', { at: now, jobId: job.id, name: def.name, queue: job.doc.queue, attempt: job.doc.attempt, workerId: this.id, leaseExpiresAt, waitedMs: Math.max(0, now - runAt) });
    const timeoutMs = def.timeoutMs ?? job.doc.timeoutMs;
    if (timeoutMs !== null && timeoutMs > 0) {
      this.ctx.clock.sleep(timeoutMs, active.timerSignal).then(
        () => active.abort('timeout', new JobTimeoutError(job.id, timeoutMs)),
        () => undefined,
      );
    }
    const p = this.execute(active).finally(() => this.finishing.delete(p));
    this.finishing.add(p);
  }

  /** `ctx.progress` of a run: validated here, stored with the run's next heartbeat. */
  private reportProgress(active: ActiveJob, value: unknown): void {
    if (active.finished) return;
    const json = asJson(value);
    if (json === undefined) throw new TypeError('progress must be JSON-serializable');
    active.progress = { value: json, dirty: true };
    const { job } = active;
    this.events.emit('job:progress', { at: this.now(), jobId: job.id, name: job.doc.name, queue: job.doc.queue, attempt: job.doc.attempt, workerId: this.id, progress: json });
  }

  private async execute(active: ActiveJob): Promise<void> {
    let outcome: HandlerOutcome;
    try {
      outcome = await runHandler(active, new RunContext(active, this.runHost));
    } catch (err) {
      outcome = { kind: 'failed', error: toError(err), unrecoverable: false };
    }
    this.freeSlot(active);
    try {
      await this.record(active, outcome);
    } catch (err) {
      this.log.error('could not record job outcome; its lease will expire and the reaper requeues it', { jobId: active.id, error: toError(err).message });
      this.events.emit('error', { at: this.now(), component: 'worker', workerId: this.id, jobId: active.id, error: errorInfo(err) });
    } finally {
      this.active.delete(active.id);
      active.end(RUN_OVER);
    }
  }

  /** The handler is over: free its slot and queue slot so the loop can claim again. */
  private freeSlot(active: ActiveJob): void {
    active.finished = true;
    active.end(RUN_OVER);
    this.running--;
    const n = (this.runningByName.get(active.def.name) ?? 1) - 1;
    if (n <= 0) this.runningByName.delete(active.def.name);
    else this.runningByName.set(active.def.name, n);
    if (active.slot !== undefined) {
      const slot = active.slot;
      active.slot = undefined;
      releaseQueueSlots(this.ctx, [slot]).catch((err: unknown) => this.log.warn('could not give back a queue slot; it frees at lease expiry', { queue: slot.queue, error: toError(err).message }));
    }
    if (this.waitingForSlots) {
      this.waitingForSlots = false;
      // Let other handlers finishing in this tick free theirs too, then claim them together.
      setImmediate(() => this.wake());
    }
  }

  private async record(active: ActiveJob, handlerOutcome: HandlerOutcome): Promise<void> {
    let outcome = handlerOutcome;
    const { job } = active;
    const base = { jobId: job.id, name: job.doc.name, queue: job.doc.queue, attempt: job.doc.attempt, workerId: this.id };
    const durationMs = this.now() - active.startedAt;
    if (outcome.kind === 'aborted' && active.abortKind === 'lease-lost') {
      // Nothing is written: another attempt owns the job now.
      if (this.debugLog) this.log.debug('job result discarded after lease loss', { jobId: job.id });
      return;
    }
    if (outcome.kind === 'aborted' && active.abortKind === 'shutdown') {
      const res = await this.settler.submit(active.job, { type: 'release' });
      if (res.status === 'released') {
        this.counters.released++;
        this.events.emit('job:released', { at: this.now(), ...base, reason: 'worker shutdown' });
        this.log.info('job released for another worker', { jobId: job.id, name: job.doc.name });
      } else this.onUnsettled(active, res);
      return;
    }
    if (outcome.kind === 'retry-later') {
      const res = await this.settler.retryLater(active.job, this.now() + outcome.delayMs);
      if (res.status === 'requeued') {
        this.counters.released++;
        this.events.emit('job:released', { at: this.now(), ...base, reason: `retry later in ${outcome.delayMs} ms` });
        if (this.debugLog) this.log.debug('job will retry later (attempt not counted)', { jobId: job.id, delayMs: outcome.delayMs });
      } else this.onUnsettled(active, res);
      return;
    }
    if (outcome.kind === 'completed') {
      const res = await this.settler.submit(active.job, { type: 'complete', result: outcome.result });
      if (res.status === 'completed') {
        this.counters.completed++;
        const result = asJson(outcome.result);
        this.events.emit('job:completed', { at: this.now(), ...base, durationMs, ...(result === undefined ? {} : { result }) });
        if (this.debugLog) this.log.debug('job completed', { jobId: job.id, name: job.doc.name, durationMs });
        return;
      }
      if (res.status !== 'error') {
        this.onUnsettled(active, res);
        return;
      }
      // The cluster refused the result (mapping, size): fail the attempt so retries and
      // dead-lettering apply, instead of leaving the job to stall.
      this.log.warn('job result could not be stored; failing the attempt', { jobId: job.id, error: res.error.message });
      outcome = { kind: 'failed', error: new Error(`result could not be stored: ${res.error.message}`), unrecoverable: false };
    }
    // failed, timed out, or cancelled
    let error: Error;
    let kind: 'error' | 'timeout' | 'cancelled' | 'unrecoverable';
    if (outcome.kind === 'aborted') {
      error = outcome.reason;
      kind = active.abortKind === 'cancelled' ? 'cancelled' : 'timeout';
    } else {
      error = outcome.error;
      kind = outcome.unrecoverable ? 'unrecoverable' : 'error';
    }
    const res = await this.settler.submit(active.job, { type: 'fail', error: { message: error.message, stack: error.stack, kind, unrecoverable: kind === 'unrecoverable' } });
    this.onFailed(active, res, error, kind, durationMs);
  }

  private onFailed(active: ActiveJob, res: SettleOutcome, error: Error, kind: string, durationMs: number): void {
    const { job } = active;
    const base = { jobId: job.id, name: job.doc.name, queue: job.doc.queue, attempt: job.doc.attempt, workerId: this.id };
    const info = errorInfo(error);
    if (res.status === 'lost' || res.status === 'error') {
      this.onUnsettled(active, res);
      return;
    }
    this.counters.failed++;
    const willRetry = res.status === 'retrying';
    this.events.emit('job:failed', { at: this.now(), ...base, error: info, durationMs, willRetry, final: !willRetry });
    if (res.status === 'retrying') {
      const delayMs = Math.max(0, res.runAtMs - this.now());
      this.events.emit('job:retrying', { at: this.now(), jobId: job.id, name: job.doc.name, queue: job.doc.queue, attempt: job.doc.attempt, nextAttempt: job.doc.attempt + 1, nextRunAt: res.runAtMs, delayMs, error: info });
      if (this.debugLog) this.log.debug('job failed; will retry', { jobId: job.id, kind, error: error.message, attempt: job.doc.attempt, retryInMs: delayMs });
    } else if (res.status === 'dead-lettered') {
      const reason = kind === 'timeout' ? 'timeout' : 'attempts-exhausted';
      this.events.emit('job:dead-lettered', { at: this.now(), jobId: job.id, name: job.doc.name, queue: job.doc.queue, attempt: job.doc.attempt, reason, deadIndex: res.index, error: info });
      if (this.debugLog) this.log.debug('job dead-lettered after its last attempt', { jobId: job.id, kind, error: error.message, deadIndex: res.index });
    } else {
      if (kind === 'cancelled') this.events.emit('job:cancelled', { at: this.now(), jobId: job.id, name: job.doc.name, queue: job.doc.queue, previousState: 'active', reason: error.message });
      if (this.debugLog) this.log.debug('job failed for good', { jobId: job.id, kind, error: error.message });
    }
  }

  private onUnsettled(active: ActiveJob, res: SettleOutcome): void {
    if (res.status === 'lost') this.onLeaseLost(active, res.error.message);
    else if (res.status === 'error') throw res.error;
  }

  private onLeaseLost(active: ActiveJob, reason: string): void {
    this.counters.leaseLost++;
    const { job } = active;
    this.events.emit('job:lease-lost', { at: this.now(), jobId: job.id, name: job.doc.name, queue: job.doc.queue, attempt: job.doc.attempt, workerId: this.id, reason });
    this.log.warn('lease lost; the result of this attempt is discarded', { jobId: job.id, name: job.doc.name, reason });
  }

  // ---- heartbeats ----------------------------------------------------------------------------

  private scheduleHeartbeat(): void {
    const every = Math.max(50, Math.floor(this.o.leaseMs / 3));
    this.heartbeatTimer = setTimeout(() => {
      this.heartbeatRunning = this.beat()
        .catch((err: unknown) => this.log.warn('heartbeat failed', { error: toError(err).message }))
        .finally(() => {
          this.heartbeatRunning = undefined;
          if (this.state === 'running' || this.state === 'stopping') this.scheduleHeartbeat();
        });
    }, every);
  }

  private async beat(): Promise<void> {
    // Jobs still being written keep their lease too, so a slow settle never loses them.
    const jobs = this.active.values();
    if (jobs.length === 0) return;
    await this.storeProgress(jobs.filter((a) => !a.finished && a.progress?.dirty === true));
    const started = this.now();
    let outcomes;
    try {
      outcomes = await this.store.heartbeat(jobs.map((a) => a.job));
    } catch (err) {
      // Could not reach the cluster: abandon runs whose lease has run out locally; the reaper
      // will give them to another worker, and writing their results would fail anyway.
      for (const a of jobs) {
        if (!a.finished && this.now() >= a.leaseExpiresAt) a.abort('lease-lost', new LeaseLostError(a.id, 'lease expired without a successful heartbeat'));
      }
      throw err;
    }
    outcomes.forEach((o, i) => {
      const a = jobs[i];
      if (a === undefined || this.active.get(a.id) !== a) return;
      if (o.status === 'lost') {
        if (a.finished) return;
        a.abort('lease-lost', new LeaseLostError(a.id, o.reason));
        this.onLeaseLost(a, o.reason);
      } else if (o.status === 'error') {
        this.log.warn('heartbeat item failed', { jobId: a.id, error: o.error.message });
      } else {
        a.job = { ...a.job, doc: o.doc, token: o.token };
        a.leaseExpiresAt = started + this.o.leaseMs;
        if (o.status === 'cancelled' && !a.finished) {
          this.log.info('job cancelled while running; aborting its handler', { jobId: a.id });
          a.abort('cancelled', new JobCancelledError(a.id));
        }
      }
    });
    await this.renewSlots(jobs.filter((a) => a.slot !== undefined && !a.finished));
  }

  private async storeProgress(jobs: ActiveJob[]): Promise<void> {
    for (const a of jobs) {
      const p = a.progress;
      if (p === undefined) continue;
      p.dirty = false;
      try {
        a.job = await this.store.progress(a.job, p.value);
      } catch (err) {
        // A lost lease shows up in the heartbeat that follows.
        if (this.debugLog) this.log.debug('progress not stored', { jobId: a.id, error: toError(err).message });
      }
    }
  }

  private async renewSlots(jobs: ActiveJob[]): Promise<void> {
    const slots = jobs.map((a) => a.slot).filter((s): s is HeldQueueSlot => s !== undefined);
    if (slots.length === 0) return;
    const outcomes = await renewQueueSlots(this.ctx, slots, this.o.leaseMs);
    outcomes.forEach((o, i) => {
      const a = jobs[i];
      if (a === undefined) return;
      if (o.status === 'ok') {
        if (a.slot !== undefined) a.slot = o.slot;
        else void releaseQueueSlots(this.ctx, [o.slot]).catch(() => undefined);
      } else if (o.status === 'lost' && !a.finished) {
        // Running on without the slot could exceed the queue's cluster-wide limit.
        a.slot = undefined;
        a.abort('lease-lost', new LeaseLostError(a.id, `queue slot of ${a.job.doc.queue} lost: ${o.reason}`));
        this.onLeaseLost(a, o.reason);
      }
    });
  }

  // ---- stalled-job recovery ------------------------------------------------------------------

  private scheduleReap(delayMs: number): void {
    if (this.o.reapIntervalMs === 0) return;
    this.reapTimer = setTimeout(() => {
      void this.reap().finally(() => {
        if (this.state === 'running') this.scheduleReap(this.o.reapIntervalMs);
      });
    }, delayMs);
  }

  private async reap(): Promise<void> {
    try {
      // The lock is never released: it expires with the interval, so one process reaps per interval.
      const lock = await this.locks.tryAcquire(`esjobs:reaper`, { ttlMs: Math.max(10, Math.floor(this.o.reapIntervalMs * 0.9)) });
      if (lock === null) return;
      const started = this.now();
      const res = await this.store.reapExpired({ limit: REAP_LIMIT });
      const at = this.now();
      for (const j of res.jobs) {
        const ref = { at, jobId: j.jobId, name: j.name, queue: j.queue };
        if (j.outcome === 'cancelled') {
          this.events.emit('job:cancelled', { ...ref, previousState: 'active', reason: 'cancelled; its lease expired before the worker learned of it' });
          continue;
        }
        this.events.emit('job:stalled', { ...ref, attempt: j.attempt, previousWorkerId: j.previousWorkerId, stallCount: j.stalls, action: j.outcome, reaperId: this.id });
        if (j.deadIndex !== undefined) this.events.emit('job:dead-lettered', { ...ref, attempt: j.attempt, reason: 'stalled', deadIndex: j.deadIndex });
      }
      const affected = res.jobs.length;
      if (affected > 0) {
        this.log.info('stalled jobs recovered', { requeued: res.requeued.length, deadLettered: res.deadLettered.length, cancelled: res.cancelled.length });
        this.events.emit('maintenance', { at, task: 'reap-leases', affected, durationMs: at - started });
      }
    } catch (err) {
      this.log.warn('stalled-job recovery failed', { error: toError(err).message });
    }
  }

  // ---- registry ------------------------------------------------------------------------------

  private writeRegistry(first = false): Promise<void> {
    const now = this.now();
    return upsertWorker(this.ctx, {
      workerId: this.id,
      host: hostname(),
      pid: process.pid,
      queues: this.o.queues,
      jobNames: [...this.o.jobs.keys()],
      concurrency: this.o.concurrency,
      active: this.running,
      state: this.state === 'stopping' ? 'stopping' : 'running',
      startedAt: new Date(this.startedAt).toISOString(),
      lastSeenAt: new Date(now).toISOString(),
      intervalMs: this.o.registryIntervalMs,
      version: VERSION,
    }, { refresh: first });
  }

  private scheduleRegistry(): void {
    this.registryTimer = setTimeout(() => {
      void this.writeRegistry()
        .catch((err: unknown) => this.log.warn('registry update failed', { error: toError(err).message }))
        .finally(() => {
          if (this.state === 'running') this.scheduleRegistry();
        });
    }, this.o.registryIntervalMs);
  }

  /**
   * Re-read the claimers sharing our queues. While this worker is claiming, every second: a
   * claimer that joined is then noticed within about a second by everyone (someone claiming the
   * whole queue alone never sees a conflict that would tell it), and the read is a small search
   * next to the claim searches of a busy worker. Idle, the delay doubles from `nextMs` up to the
   * registry interval, and starts over from the shortest when the share changed.
   */
  private schedulePeers(delayMs: number, nextMs: number): void {
    this.peersTimer = setTimeout(() => {
      this.peersTimer = undefined;
      const peers = this.peers;
      if (peers === undefined) return;
      const before = peers.share;
      this.peersReadAt = this.now();
      let next = nextMs;
      void listWorkers(this.ctx)
        .then((workers) => {
          peers.update(workers);
          const after = peers.share;
          if (before !== undefined && (after?.rank !== before.rank || after.of !== before.of)) next = PEERS_FIRST_REREAD_MS;
        })
        .catch((err: unknown) => {
          peers.clear();
          if (this.debugLog) this.log.debug('could not read the worker registry; claiming from all partitions', { error: toError(err).message });
        })
        .finally(() => {
          const busy = this.claimedSincePeers > 0;
          this.claimedSincePeers = 0;
          if (busy) next = Math.min(next, PEERS_BUSY_REREAD_MS);
          if (this.state === 'running' && this.peersTimer === undefined) this.schedulePeers(next, Math.min(this.o.registryIntervalMs, next * 2));
        });
    }, delayMs);
  }

  /** A re-read now (at most one per PEERS_MIN_REREAD_MS), then the short schedule again. */
  private rereadPeersSoon(): void {
    if (this.peers === undefined || this.state !== 'running') return;
    if (this.now() - this.peersReadAt < PEERS_MIN_REREAD_MS || this.peersTimer === undefined) return;
    clearTimeout(this.peersTimer);
    this.schedulePeers(0, PEERS_FIRST_REREAD_MS);
  }

  // ---- shutdown ------------------------------------------------------------------------------

  private async shutdown(timeoutMs: number): Promise<void> {
    await this.starting?.catch(() => undefined);
    if (this.state === 'stopped') return;
    this.state = 'stopping';
    this.log.info('stopping: no new claims', { running: this.running, timeoutMs });
    this.unsubscribe?.();
    this.wake();
    if (this.reapTimer !== undefined) clearTimeout(this.reapTimer);
    if (this.registryTimer !== undefined) clearTimeout(this.registryTimer);
    if (this.peersTimer !== undefined) clearTimeout(this.peersTimer);
    await this.loopPromise;
    // Ids woken but never claimed stay queued: nothing to give back.
    this.wakeIds.length = 0;
    this.wakeIdSet.clear();
    this.delayedWake.length = 0;
    void this.writeRegistry().catch(() => undefined);
    if (this.running > 0) {
      this.log.info('waiting for running jobs to finish', { running: this.running, timeoutMs });
      const forced = new Promise<void>((resolve) => {
        this.forceStop = resolve;
      });
      let timeout: NodeJS.Timeout | undefined;
      const timer = new Promise<void>((resolve) => {
        timeout = setTimeout(resolve, this.forced ? 0 : timeoutMs);
      });
      const waiting = { over: false };
      await Promise.race([this.allHandlersDone(waiting), timer, forced]);
      // The handlers' poll would otherwise go on every 10 ms after a timeout or a forced stop.
      waiting.over = true;
      clearTimeout(timeout);
      if (this.running > 0) {
        this.log.warn('shutdown timeout: aborting running jobs and releasing them', { running: this.running });
        for (const a of this.active.values()) a.abort('shutdown', new WorkerShutdownError());
      }
    }
    while (this.finishing.size > 0) await Promise.allSettled([...this.finishing]);
    await this.settler.flush();
    if (this.heartbeatTimer !== undefined) clearTimeout(this.heartbeatTimer);
    await this.heartbeatRunning;
    if (this.heartbeatTimer !== undefined) clearTimeout(this.heartbeatTimer);
    try {
      await removeWorker(this.ctx, this.id);
    } catch (err) {
      this.log.warn('could not remove the registry document', { error: toError(err).message });
    }
    await this.ownedClient?.close().catch(() => undefined);
    this.state = 'stopped';
    this.events.emit('worker:offline', { at: this.now(), workerId: this.id, host: hostname(), pid: process.pid, reason: 'shutdown' });
    this.log.info('worker stopped', { ...this.counters });
  }

  private async allHandlersDone(waiting: { readonly over: boolean }): Promise<void> {
    while (this.running > 0 && !waiting.over) await new Promise((r) => setTimeout(r, 10));
  }
}
