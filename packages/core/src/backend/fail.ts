/**
 * Fail a claimed job's attempt.
 *
 * Inputs: the claimed job with its token, the error, and either `retryAt` (a custom backoff chose
 * the time), `unrecoverable`, or neither (the stored backoff decides). Request: a conditional
 * partial update in a settle bulk: back to `queued` with a later runAt while attempts remain;
 * `failed` when unrecoverable or cancelled (kept in the jobs index, like BullMQ's failed set);
 * otherwise marked for dead-lettering (`deadLetter: true`, state `failed`), after which
 * dead-letter.ts moves it. Outcomes: retrying (with runAt) | failed | dead-lettered, or
 * LeaseLostError. Every outcome appends the attempt's error to the history.
 */
import type { ClaimedJob, JobDocument, JobErrorRecord } from '../jobs/job.js';
import { JobState } from '../jobs/state.js';
import { iso } from '../jobs/document.js';
import { computeBackoff } from '../backoff.js';

/** History entries kept per job; older ones are dropped so a job with many retries stays small. */
export const ERROR_HISTORY_MAX = 100;
const MESSAGE_MAX = 8_192;
const STACK_MAX = 16_384;

export interface FailInput {
  readonly message: string;
  readonly stack?: string | undefined;
  readonly kind?: JobErrorRecord['kind'];
  /** Epoch ms of the next attempt, overriding the stored backoff. */
  readonly retryAt?: number | undefined;
  /** No further attempts: the job ends `failed`. */
  readonly unrecoverable?: boolean | undefined;
}

export type FailPlan =
  | { readonly outcome: 'retrying'; readonly change: Partial<JobDocument>; readonly runAtMs: number }
  | { readonly outcome: 'failed'; readonly change: Partial<JobDocument> }
  | { readonly outcome: 'dead-lettered'; readonly change: Partial<JobDocument> };

export function errorRecord(attempt: number, input: Pick<FailInput, 'message' | 'stack' | 'kind'>, now: number): JobErrorRecord {
  return {
    attempt,
    message: input.message.slice(0, MESSAGE_MAX),
    ...(input.stack === undefined ? {} : { stack: input.stack.slice(0, STACK_MAX) }),
    at: iso(now),
    kind: input.kind ?? 'error',
  };
}

export function appendError(doc: JobDocument, record: JobErrorRecord): JobErrorRecord[] {
  return [...doc.errors, record].slice(-ERROR_HISTORY_MAX);
}

export function failPlan(job: ClaimedJob, input: FailInput, now: number, random: () => number): FailPlan {
  const record = errorRecord(job.doc.attempt, input, now);
  const common = { errors: appendError(job.doc, record), lastError: record.message, lease: null, updatedAt: iso(now) };
  if (input.unrecoverable === true || input.kind === 'cancelled') {
    return { outcome: 'failed', change: { ...common, state: JobState.failed, finishedAt: iso(now) } };
  }
  if (job.doc.attempt < job.doc.maxAttempts) {
    const runAtMs = input.retryAt ?? now + computeBackoff(job.doc.backoff, Math.max(1, job.doc.attempt), random);
    return { outcome: 'retrying', runAtMs, change: { ...common, state: JobState.queued, runAt: iso(runAtMs), startedAt: null } };
  }
  return { outcome: 'dead-lettered', change: { ...common, state: JobState.failed, finishedAt: iso(now), deadLetter: true } };
}
