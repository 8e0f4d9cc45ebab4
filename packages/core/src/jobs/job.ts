/**
 * The job document as stored in `<prefix>-jobs` (and, with its history, in `<prefix>-dead-<queue>`),
 * and the in-memory views handed to workers. Times are ISO strings in the document (Elasticsearch
 * `date`), epoch milliseconds everywhere else.
 */
import type { JobState } from './state.js';
import type { StoredBackoffPolicy } from '../backoff.js';

/** Retry delay policy as stored (`custom`: the worker computes the delay and passes `retryAt`). */
export type StoredBackoff = StoredBackoffPolicy;

/** One failed attempt, kept in the job's history. */
export interface JobErrorRecord {
  readonly attempt: number;
  readonly message: string;
  readonly stack?: string;
  readonly at: string;
  /** What happened: a thrown error, a lost lease (stall), a timeout, a cancellation. */
  readonly kind?: 'error' | 'stalled' | 'timeout' | 'cancelled' | 'unrecoverable';
}

export interface JobLease {
  readonly owner: string;
  /** Random per claim: tells this attempt from a later claim by the same worker. */
  readonly claimId: string;
  readonly expiresAt: string;
}

export interface JobDocument {
  readonly jobId: string;
  readonly name: string;
  readonly queue: string;
  readonly state: JobState;
  readonly priority: number;
  readonly runAt: string;
  readonly enqueuedAt: string;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  /** Attempts made so far (a claim counts one; a release or a stall gives it back). */
  readonly attempt: number;
  readonly maxAttempts: number;
  readonly backoff: StoredBackoff | null;
  readonly timeoutMs: number | null;
  readonly payload: unknown;
  readonly result: unknown;
  readonly lease: JobLease | null;
  readonly stalls: number;
  readonly maxStalls: number;
  readonly errors: readonly JobErrorRecord[];
  readonly lastError: string | null;
  readonly cancelRequested: boolean;
  readonly progress: unknown;
  /** Set while the job is being moved to the dead-letter index (crash repair looks for it). */
  readonly deadLetter: boolean;
  /** Set by redrive until the dead copy is deleted (crash repair looks for it). */
  readonly redriving?: boolean;
  readonly scheduleName?: string;
  readonly fireTime?: string;
  /** Claim partition (hash of jobId); absent on documents written before partitions existed. */
  readonly partition?: number;
  readonly updatedAt: string;
}

/**
 * The claim's proof of ownership: the document's seq_no and primary term after the write that
 * claimed (or last extended) it. Every later write of the attempt presents it.
 */
export interface ClaimToken {
  readonly seqNo: number;
  readonly primaryTerm: number;
}

/** A job read from the store, with the version it was read at. */
export interface StoredJob {
  readonly id: string;
  readonly doc: JobDocument;
  readonly token: ClaimToken;
}

/** A job claimed by a worker: the document after the claim and the token of the claim. */
export interface ClaimedJob extends StoredJob {
  readonly workerId: string;
}

/** Where a job was found by getJob. */
export interface FoundJob extends StoredJob {
  /** `dead` when it lives in a dead-letter index. */
  readonly location: 'live' | 'dead';
  readonly index: string;
}

export function isClaimToken(value: unknown): value is ClaimToken {
  if (typeof value !== 'object' || value === null) return false;
  const t = value as Record<string, unknown>;
  return Number.isInteger(t['seqNo']) && Number.isInteger(t['primaryTerm']);
}
