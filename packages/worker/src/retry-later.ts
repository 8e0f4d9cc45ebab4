/**
 * Asking to run a job again later without spending an attempt (rate limits, a dependency that is
 * down): `throw new RetryLaterError('30s')` or `ctx.retryLater('30s')` from a handler. The worker
 * gives the job back to its queue with `runAt = now + delay`; `attempt` is not counted.
 * A control-flow signal rather than a failure, so it is not an EsJobsError.
 */
import { type Duration, parseDuration } from '@esjobs/core';

export class RetryLaterError extends Error {
  static readonly code = 'ESJOBS_RETRY_LATER';
  readonly code = RetryLaterError.code;
  /** Delay before the job may run again, in milliseconds. */
  readonly delayMs: number;

  constructor(delay: Duration = 0, reason = 'handler asked to retry later') {
    const delayMs = parseDuration('retryLater.delay', delay, { allowZero: true });
    super(`${reason} (in ${delayMs} ms)`);
    this.name = 'RetryLaterError';
    this.delayMs = delayMs;
  }
}
