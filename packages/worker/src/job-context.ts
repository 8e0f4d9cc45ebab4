/**
 * What a handler receives besides its payload. `signal` aborts on timeout, cancellation, lease
 * loss and forced shutdown; its `reason` says which (JobTimeoutError, JobCancelledError,
 * LeaseLostError, WorkerShutdownError). Handlers should pass it to fetch/ES calls or check it.
 */
import type { Duration } from '@esjobs/core';
import type { Logger } from './logger.js';

export interface JobInfo {
  /** The job id: the `jobId` given at enqueue when one was given. */
  readonly id: string;
  readonly name: string;
  readonly queue: string;
  /** This attempt's number, from 1. */
  readonly attempt: number;
  readonly maxAttempts: number;
  readonly priority: number;
  /** Epoch ms. */
  readonly enqueuedAt: number;
  /** Set on jobs fired by a recurring schedule: the fire time (ISO-8601, UTC, as in the job document). */
  readonly fireTime?: string;
  /** Set on jobs fired by a recurring schedule: the schedule's name. */
  readonly scheduleName?: string;
}

/** The schedule fields of a job document, for `JobInfo` (absent keys stay absent under exactOptionalPropertyTypes). */
export function scheduleInfo(doc: { readonly fireTime?: string | undefined; readonly scheduleName?: string | undefined }): Pick<JobInfo, 'fireTime' | 'scheduleName'> {
  return {
    ...(doc.fireTime === undefined ? {} : { fireTime: doc.fireTime }),
    ...(doc.scheduleName === undefined ? {} : { scheduleName: doc.scheduleName }),
  };
}

export interface JobContext {
  readonly job: JobInfo;
  readonly signal: AbortSignal;
  /** Report progress (any JSON value): emitted as `job:progress` and stored with the next heartbeat. */
  progress(value: unknown): void;
  readonly log: Logger;
  /** Stop here and run again after `delay` without counting an attempt (throws RetryLaterError). */
  retryLater(delay?: Duration): never;
}
