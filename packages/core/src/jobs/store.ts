/**
 * JobStore: the job operations of the backend behind one validated API, for the worker, the
 * scheduler and the CLI. Validates every input before any request (bad input never touches the
 * indices), keeps each claimer's recent-claims cache and contention spread, caches paused queues
 * briefly, and batches completions/failures/releases through a write buffer.
 */
import type { BackendContext } from '../backend/context.js';
import { ValidationError } from '../errors.js';
import { validatePayload } from '../payload.js';
import { validateQueueName } from '../indices/names.js';
import { parseDuration } from '../duration.js';
import type { Duration } from '../duration.js';
import { enqueueMany as enqueueManyOp } from '../backend/enqueue-many.js';
import type { EnqueueOutcome, NewJob } from '../backend/enqueue-many.js';
import { claim as claimOp } from '../backend/claim.js';
import type { ClaimResult } from '../backend/claim.js';
import { claimByIds as claimByIdsOp } from '../backend/claim-by-ids.js';
import { nextDue as nextDueOp } from '../backend/next-due.js';
import { heartbeat as heartbeatOp } from '../backend/heartbeat.js';
import type { HeartbeatOutcome } from '../backend/heartbeat.js';
import { settle } from '../backend/settle.js';
import type { SettleOutcome, SettleRequest } from '../backend/settle.js';
import type { DeadLetterHooks } from '../backend/dead-letter.js';
import { updateProgress } from '../backend/progress.js';
import { cancel as cancelOp } from '../backend/cancel.js';
import type { CancelOutcome } from '../backend/cancel.js';
import { retryLater as retryLaterOp } from '../backend/worker-retry-later.js';
import { reapExpired as reapOp } from '../backend/reap-expired.js';
import type { ReapResult } from '../backend/reap-expired.js';
import { repairDeadLetters as repairOp } from '../backend/dead-letter-repair.js';
import type { RepairResult } from '../backend/dead-letter-repair.js';
import { listDead as listDeadOp } from '../backend/dead-list.js';
import type { DeadCursor, DeadPage } from '../backend/dead-list.js';
import { redrive as redriveOp } from '../backend/dead-redrive.js';
import type { RedriveHooks, RedriveOutcome } from '../backend/dead-redrive.js';
import { getJob as getJobOp } from '../backend/get-job.js';
import { queueStats as queueStatsOp } from '../backend/queue-stats.js';
import type { QueueCounts } from '../backend/queue-stats.js';
import { pausedQueues, setQueuePaused } from '../backend/queue-pause.js';
import type { ClaimedJob, FoundJob, JobErrorRecord, StoredJob } from './job.js';
import { isClaimToken } from './job.js';
import { jobDocumentJson, newJobDocument, newJobId } from './document.js';
import { validate as validateJobOptions, validateJobId, validateJobName, parseTime } from './options.js';
import type { JobOptions } from './options.js';
import { validate as validateStoreOptions } from './store-options.js';
import type { JobStoreOptions, ResolvedJobStoreOptions } from './store-options.js';
import { RecentClaims } from './recent-claims.js';
import { ClaimLookahead } from './claim-lookahead.js';
import { ClaimCursor } from './claim-cursor.js';
import type { PartitionShare } from './partition.js';
import { ContentionSpread } from './contention-spread.js';
import { WriteBuffer } from './write-buffer.js';

export interface EnqueueInput {
  readonly name: string;
  readonly payload?: unknown;
  readonly options?: JobOptions;
}

export interface EnqueueResult {
  readonly job: StoredJob;
  /** false: a job with this jobId already existed and is returned unchanged. */
  readonly created: boolean;
}

export interface ClaimRequest {
  readonly queues: readonly string[];
  /** Job names this worker handles. @defaultValue any */
  readonly jobNames?: readonly string[];
  readonly workerId: string;
  readonly slots: number;
  /** @defaultValue the store's lease */
  readonly lease?: Duration;
  /**
   * This claimer's share of the claim partitions (rank among the claimers of its queues): its
   * slice is searched first, so claimers do not race for the same documents.
   * @defaultValue everything (no slice)
   */
  readonly partition?: PartitionShare;
}

export interface FailOptions {
  /** When to retry (custom backoff computed by the caller). */
  readonly retryAt?: Date | number;
  /** No further attempts: the job ends `failed` (kept in the jobs index, not dead-lettered). */
  readonly unrecoverable?: boolean;
  readonly kind?: JobErrorRecord['kind'];
}

export type SettledOutcome = Exclude<SettleOutcome, { status: 'lost' } | { status: 'error' }>;

/** Most jobs or ids one call takes: one bulk request must stay well below request-size limits. */
export const MAX_BATCH = 10_000;

function checkIdList(field: string, ids: unknown): string[] {
  if (!Array.isArray(ids)) throw new ValidationError(field, ids, 'must be an array of job ids');
  if (ids.length > MAX_BATCH) throw new ValidationError(field, `${ids.length} ids`, `at most ${MAX_BATCH} per call`);
  return ids.map((id, i) => validateJobId(id, `${field}[${i}]`));
}

function checkQueues(field: string, queues: unknown): string[] {
  if (!Array.isArray(queues) || queues.length === 0) throw new ValidationError(field, queues, 'must be a non-empty array of queue names');
  return queues.map((q, i) => validateQueueName(q, `${field}[${i}]`));
}

function checkWorkerId(value: unknown): string {
  if (typeof value !== 'string' || value === '' || value.length > 256) throw new ValidationError('workerId', value, 'must be a non-empty string of at most 256 characters');
  return value;
}

function checkPositiveInt(field: string, value: unknown, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) throw new ValidationError(field, value, `must be an integer from 1 to ${max}`);
  return value;
}

function checkClaimed(field: string, job: unknown): ClaimedJob {
  if (typeof job !== 'object' || job === null) throw new ValidationError(field, job, 'must be a job returned by claim');
  const j = job as Partial<ClaimedJob>;
  if (typeof j.id !== 'string' || !isClaimToken(j.token) || typeof j.workerId !== 'string' || typeof j.doc !== 'object' || j.doc === null) {
    throw new ValidationError(field, job, 'must be a job returned by claim (id, doc, token, workerId)');
  }
  return j as ClaimedJob;
}

interface Claimer {
  readonly recent: RecentClaims;
  readonly spread: ContentionSpread;
  readonly cursor: ClaimCursor;
  readonly lookahead: ClaimLookahead;
}

function checkPartitionShare(share: unknown): PartitionShare | undefined {
  if (share === undefined) return undefined;
  const s = share as Partial<PartitionShare> | null;
  if (typeof s !== 'object' || s === null || !Number.isSafeInteger(s.of) || !Number.isSafeInteger(s.rank) || (s.of ?? 0) < 1 || (s.rank ?? -1) < 0 || (s.rank ?? 0) >= (s.of ?? 0)) {
    throw new ValidationError('claim.partition', share, 'must be { rank, of } with integers 0 <= rank < of');
  }
  return { rank: s.rank ?? 0, of: s.of ?? 1 };
}

export class JobStore {
  readonly options: ResolvedJobStoreOptions;
  private readonly claimers = new Map<string, Claimer>();
  private paused: { at: number; queues: Set<string>; asked: string } | undefined;
  private readonly buffer: WriteBuffer<SettleRequest, SettleOutcome>;
  /** For tests: crash injection between the two writes of a dead-letter move. */
  deadLetterHooks: DeadLetterHooks = {};

  constructor(
    readonly ctx: BackendContext,
    options?: JobStoreOptions,
  ) {
    this.options = validateStoreOptions(options);
    this.buffer = new WriteBuffer((reqs) => settle(this.ctx, reqs, this.deadLetterHooks), this.options.writeBufferDelayMs, this.options.writeBufferMaxItems);
  }

  /** Settle batches sent so far (for request-per-job accounting). */
  get settleBatches(): number {
    return this.buffer.batches;
  }

  private prepare(input: EnqueueInput, field: string, now: number): NewJob {
    if (typeof input !== 'object' || input === null) throw new ValidationError(field, input, 'must be { name, payload, options }');
    const name = validateJobName(input.name, `${field}.name`);
    const options = validateJobOptions(input.options, now, `${field}.options`);
    const { json } = validatePayload(input.payload, { maxBytes: this.ctx.maxPayloadBytes, field: `${field}.payload` });
    const id = options.jobId ?? newJobId();
    const doc = newJobDocument(id, name, input.payload, options, now);
    return { id, doc, json: jobDocumentJson(doc, json) };
  }

  /** Enqueue one job. With `options.jobId`, enqueueing again returns the existing job (`created: false`). */
  async enqueue(name: string, payload?: unknown, options?: JobOptions): Promise<EnqueueResult> {
    const job = this.prepare({ name, payload, ...(options === undefined ? {} : { options }) }, 'enqueue', this.ctx.clock.now());
    const [out] = await enqueueManyOp(this.ctx, [job]);
    if (out === undefined) throw new Error('unreachable: enqueue returned no outcome');
    if (out.status === 'error') throw out.error;
    return { job: out.job, created: out.status === 'created' };
  }

  /** Enqueue many jobs in one bulk; every input gets an outcome (created, existing, or error). All inputs are validated first. */
  async enqueueMany(inputs: readonly EnqueueInput[]): Promise<EnqueueOutcome[]> {
    if (!Array.isArray(inputs)) throw new ValidationError('enqueueMany', inputs, 'must be an array of { name, payload, options }');
    if (inputs.length > MAX_BATCH) throw new ValidationError('enqueueMany', `${inputs.length} jobs`, `at most ${MAX_BATCH} per call`);
    const now = this.ctx.clock.now();
    const jobs = inputs.map((input, i) => this.prepare(input, `enqueueMany[${i}]`, now));
    const seen = new Set<string>();
    jobs.forEach((j, i) => {
      if (seen.has(j.id)) throw new ValidationError(`enqueueMany[${i}].options.jobId`, j.id, 'appears twice in the batch');
      seen.add(j.id);
    });
    return enqueueManyOp(this.ctx, jobs);
  }

  private claimer(workerId: string): Claimer {
    let c = this.claimers.get(workerId);
    if (c === undefined) {
      c = {
        recent: new RecentClaims(this.options.recentClaimsMax),
        spread: new ContentionSpread(8, this.ctx.random),
        cursor: new ClaimCursor(this.options.claimCursorMaxAgeMs),
        lookahead: new ClaimLookahead(),
      };
      this.claimers.set(workerId, c);
    }
    return c;
  }

  private async activeQueues(queues: readonly string[]): Promise<string[]> {
    const now = this.ctx.clock.now();
    const asked = [...queues].sort().join(',');
    if (this.paused === undefined || this.paused.asked !== asked || now - this.paused.at >= this.options.pausedCacheTtlMs || this.options.pausedCacheTtlMs === 0) {
      this.paused = { at: now, queues: await pausedQueues(this.ctx, queues), asked };
    }
    const paused = this.paused.queues;
    return queues.filter((q) => !paused.has(q));
  }

  /** Claim up to `slots` due jobs, best first, for `workerId`. */
  async claim(request: ClaimRequest): Promise<ClaimResult> {
    if (typeof request !== 'object' || request === null) throw new ValidationError('claim', request, 'must be { queues, workerId, slots, ... }');
    const queues = checkQueues('claim.queues', request.queues);
    const jobNames = request.jobNames === undefined ? [] : (request.jobNames as unknown[]).map((n, i) => validateJobName(n, `claim.jobNames[${i}]`));
    const workerId = checkWorkerId(request.workerId);
    const slots = checkPositiveInt('claim.slots', request.slots, 1000);
    const leaseMs = request.lease === undefined ? this.options.leaseMs : parseDuration('claim.lease', request.lease);
    const partition = checkPartitionShare(request.partition);
    const active = await this.activeQueues(queues);
    const c = this.claimer(workerId);
    return claimOp(this.ctx, {
      queues: active,
      jobNames,
      workerId,
      slots,
      leaseMs,
      oversample: this.options.claimOversample,
      verify: this.options.verifyCandidates,
      recent: c.recent,
      spread: c.spread,
      cursor: c.cursor,
      ...(this.options.claimLookahead ? { lookahead: c.lookahead } : {}),
      ...(partition === undefined ? {} : { partition }),
      excludeWindowMs: this.options.claimExcludeWindowMs,
      excludeMax: this.options.claimExcludeMax,
      maxPages: this.options.claimMaxPages,
    });
  }

  /** Claim specific jobs (same-process wake-up after a local enqueue): real-time, no search. */
  async claimByIds(request: Omit<ClaimRequest, 'slots'> & { readonly ids: readonly string[] }): Promise<{ jobs: ClaimedJob[]; conflicts: number }> {
    if (typeof request !== 'object' || request === null) throw new ValidationError('claimByIds', request, 'must be { ids, queues, workerId, ... }');
    const ids = checkIdList('claimByIds.ids', request.ids);
    const queues = checkQueues('claimByIds.queues', request.queues);
    const jobNames = request.jobNames === undefined ? [] : (request.jobNames as unknown[]).map((n, i) => validateJobName(n, `claimByIds.jobNames[${i}]`));
    const workerId = checkWorkerId(request.workerId);
    const leaseMs = request.lease === undefined ? this.options.leaseMs : parseDuration('claimByIds.lease', request.lease);
    const active = await this.activeQueues(queues);
    return claimByIdsOp(this.ctx, { ids, queues: active, jobNames, workerId, leaseMs, recent: this.claimer(workerId).recent });
  }

  /**
   * The earliest runAt (epoch ms) of a queued job in these queues due after `after` (default:
   * not yet due), if any (near-real-time).
   */
  async nextDue(request: { readonly queues: readonly string[]; readonly jobNames?: readonly string[]; readonly after?: number }): Promise<number | undefined> {
    if (typeof request !== 'object' || request === null) throw new ValidationError('nextDue', request, 'must be { queues, jobNames? }');
    const queues = checkQueues('nextDue.queues', request.queues);
    const jobNames = request.jobNames === undefined ? [] : (request.jobNames as unknown[]).map((n, i) => validateJobName(n, `nextDue.jobNames[${i}]`));
    const after = request.after;
    if (after !== undefined && (typeof after !== 'number' || !Number.isFinite(after))) throw new ValidationError('nextDue.after', after, 'must be a time in epoch ms');
    return nextDueOp(this.ctx, { queues: await this.activeQueues(queues), jobNames, ...(after === undefined ? {} : { after }) });
  }

  /** Extend the leases of jobs claimed by one worker, in one bulk. */
  async heartbeat(jobs: readonly ClaimedJob[], lease?: Duration): Promise<HeartbeatOutcome[]> {
    if (!Array.isArray(jobs)) throw new ValidationError('heartbeat.jobs', jobs, 'must be an array of claimed jobs');
    const checked = jobs.map((j, i) => checkClaimed(`heartbeat.jobs[${i}]`, j));
    const leaseMs = lease === undefined ? this.options.leaseMs : parseDuration('heartbeat.lease', lease);
    return heartbeatOp(this.ctx, checked, leaseMs);
  }

  private async settleOne(request: SettleRequest): Promise<SettledOutcome> {
    const out = await this.buffer.add(request);
    if (out.status === 'lost' || out.status === 'error') throw out.error;
    // Back in the queue: this claimer must not keep excluding it from its searches. Every
    // version before the put-back write (seq_no below its own) is stale.
    if (out.status === 'retrying' || out.status === 'released') this.claimers.get(request.job.workerId)?.recent.forget(request.job.id, out.token.seqNo - 1);
    return out;
  }

  /** Complete a claimed job (batched). Throws LeaseLostError when the attempt no longer owns it. */
  complete(job: ClaimedJob, result?: unknown): Promise<SettledOutcome> {
    const j = checkClaimed('complete.job', job);
    if (result !== undefined) validatePayload(result, { maxBytes: this.ctx.maxPayloadBytes, field: 'complete.result' });
    return this.settleOne({ job: j, action: { type: 'complete', result } });
  }

  /** Fail a claimed job's attempt: retry with backoff, `failed` if unrecoverable, or dead-letter when out of attempts (batched). */
  fail(job: ClaimedJob, error: unknown, options: FailOptions = {}): Promise<SettledOutcome> {
    const j = checkClaimed('fail.job', job);
    if (typeof options !== 'object' || options === null) throw new ValidationError('fail.options', options, 'must be an object');
    const retryAt = options.retryAt === undefined ? undefined : parseTime('fail.options.retryAt', options.retryAt);
    if (options.unrecoverable !== undefined && typeof options.unrecoverable !== 'boolean') {
      throw new ValidationError('fail.options.unrecoverable', options.unrecoverable, 'must be a boolean');
    }
    const message = error instanceof Error ? error.message : typeof error === 'string' ? error : JSON.stringify(error) ?? String(error);
    const stack = error instanceof Error ? error.stack : undefined;
    return this.settleOne({
      job: j,
      action: { type: 'fail', error: { message: message === '' ? 'unknown error' : message, stack, kind: options.kind, retryAt, unrecoverable: options.unrecoverable } },
    });
  }

  /** Give a claimed job back without counting the attempt (graceful shutdown; batched). */
  release(job: ClaimedJob): Promise<SettledOutcome> {
    return this.settleOne({ job: checkClaimed('release.job', job), action: { type: 'release' } });
  }

  /**
   * Give a claimed job back to run at `runAt` without counting the attempt (a handler's retry
   * later: rate limits, a dependency down). Not batched. Throws LeaseLostError when the attempt no
   * longer owns the job.
   */
  async retryLater(job: ClaimedJob, runAt: Date | number): Promise<{ readonly status: 'requeued'; readonly runAtMs: number }> {
    const j = checkClaimed('retryLater.job', job);
    const runAtMs = parseTime('retryLater.runAt', runAt);
    const [out] = await retryLaterOp(this.ctx, [{ job: j, runAtMs }]);
    if (out === undefined) throw new Error('unreachable: retryLater returned no outcome');
    if (out.status !== 'requeued') throw out.error;
    this.claimers.get(j.workerId)?.recent.forget(j.id, j.token.seqNo);
    return { status: 'requeued', runAtMs };
  }

  /** Send buffered completions/failures now. */
  flush(): Promise<void> {
    return this.buffer.flush();
  }

  /** Record progress (conditional); returns the job with its new token. */
  progress(job: ClaimedJob, progress: unknown): Promise<ClaimedJob> {
    const j = checkClaimed('progress.job', job);
    validatePayload(progress, { maxBytes: this.ctx.maxPayloadBytes, field: 'progress' });
    return updateProgress(this.ctx, j, progress);
  }

  cancel(jobId: string): Promise<CancelOutcome> {
    return cancelOp(this.ctx, validateJobId(jobId, 'cancel.jobId'));
  }

  /** Requeue (or dead-letter past maxStalls) active jobs whose lease expired. Coordinate reapers with a lock. */
  reapExpired(options: { readonly limit?: number } = {}): Promise<ReapResult> {
    return reapOp(this.ctx, options.limit === undefined ? 500 : checkPositiveInt('reapExpired.limit', options.limit, MAX_BATCH));
  }

  repairDeadLetters(options: { readonly limit?: number } = {}): Promise<RepairResult> {
    return repairOp(this.ctx, options.limit === undefined ? 500 : checkPositiveInt('repairDeadLetters.limit', options.limit, MAX_BATCH));
  }

  /** A page of dead-lettered jobs, newest first; `errorText` matches words of the last error. */
  listDead(options: { readonly queue?: string; readonly errorText?: string; readonly size?: number; readonly after?: DeadCursor } = {}): Promise<DeadPage> {
    const queue = options.queue === undefined ? undefined : validateQueueName(options.queue, 'listDead.queue');
    if (options.errorText !== undefined && (typeof options.errorText !== 'string' || options.errorText.trim() === '')) {
      throw new ValidationError('listDead.errorText', options.errorText, 'must be a non-empty string');
    }
    if (options.after !== undefined && !Array.isArray(options.after)) throw new ValidationError('listDead.after', options.after, 'must be the cursor of the previous page');
    const size = options.size === undefined ? 100 : checkPositiveInt('listDead.size', options.size, 10_000);
    return listDeadOp(this.ctx, { queue, errorText: options.errorText, size, after: options.after });
  }

  redrive(queue: string, ids: readonly string[], hooks: RedriveHooks = {}): Promise<RedriveOutcome[]> {
    return redriveOp(this.ctx, validateQueueName(queue, 'redrive.queue'), checkIdList('redrive.ids', ids), hooks);
  }

  /** A job by id, live (real-time) or dead-lettered. */
  getJob(jobId: string): Promise<FoundJob | undefined> {
    return getJobOp(this.ctx, validateJobId(jobId, 'getJob.jobId'));
  }

  queueStats(): Promise<Record<string, QueueCounts>> {
    return queueStatsOp(this.ctx);
  }

  async pauseQueue(queue: string): Promise<void> {
    await setQueuePaused(this.ctx, validateQueueName(queue, 'pauseQueue.queue'), true);
    this.paused = undefined;
  }

  async resumeQueue(queue: string): Promise<void> {
    await setQueuePaused(this.ctx, validateQueueName(queue, 'resumeQueue.queue'), false);
    this.paused = undefined;
  }

  async isPaused(queue: string): Promise<boolean> {
    const q = validateQueueName(queue, 'isPaused.queue');
    return (await pausedQueues(this.ctx, [q])).has(q);
  }

  /** Flush pending writes and stop timers. */
  async close(): Promise<void> {
    await this.buffer.flush();
  }
}

