/**
 * Writes attempt outcomes (complete / fail / release / retry later) through the JobStore, whose write buffer
 * sends everything finished within a few milliseconds as one settle bulk. Adds what a worker
 * needs on top: a lost lease comes back as an outcome rather than a throw, and a batch that fails
 * because the cluster is unreachable or overloaded is retried with backoff until `retryForMs`
 * runs out — the worker keeps heartbeating those jobs meanwhile, so they keep their leases.
 */
import {
  BackpressureError,
  type ClaimedJob,
  ConnectionError,
  ElasticsearchError,
  EsJobsError,
  ErrorCode,
  type FailInput,
  type JobStore,
  LeaseLostError,
  type SettleOutcome,
  toError,
} from '@esjobs/core';
import type { Logger } from './logger.js';

/** A write that did not happen: the lease is gone, or the cluster refused it for good. */
export type Unsettled = Extract<SettleOutcome, { status: 'lost' } | { status: 'error' }>;

export type SettleWrite = { readonly type: 'complete'; readonly result: unknown } | { readonly type: 'fail'; readonly error: FailInput } | { readonly type: 'release' };

function transient(err: unknown): boolean {
  if (err instanceof ConnectionError || err instanceof BackpressureError) return true;
  if (err instanceof ElasticsearchError) return err.status === undefined || err.status >= 500;
  // Errors the client raised before any response (socket closed mid-request and the like).
  return err instanceof Error && /ECONNRESET|ECONNREFUSED|socket hang up|TimeoutError|NoLivingConnections/i.test(`${err.name} ${err.message}`);
}

export class SettleWriter {
  constructor(
    private readonly store: JobStore,
    private readonly logger: Logger,
    private readonly retryForMs: number,
  ) {}

  /** Settle batches sent so far. */
  get requests(): number {
    return this.store.settleBatches;
  }

  submit(job: ClaimedJob, write: SettleWrite): Promise<SettleOutcome> {
    return this.retrying(job, write.type, () => {
      if (write.type === 'complete') return this.store.complete(job, write.result);
      if (write.type === 'release') return this.store.release(job);
      const e = write.error;
      const err = Object.assign(new Error(e.message), e.stack === undefined ? {} : { stack: e.stack });
      return this.store.fail(job, err, { ...(e.kind === undefined ? {} : { kind: e.kind }), ...(e.unrecoverable === true ? { unrecoverable: true } : {}) });
    });
  }

  /** Give the job back to run at `runAtMs` without counting the attempt (not batched). */
  retryLater(job: ClaimedJob, runAtMs: number): Promise<{ readonly status: 'requeued'; readonly runAtMs: number } | Unsettled> {
    return this.retrying(job, 'retry-later', () => this.store.retryLater(job, runAtMs));
  }

  private async retrying<T>(job: ClaimedJob, what: string, write: () => Promise<T>): Promise<T | Unsettled> {
    const started = Date.now();
    for (let attempt = 1; ; attempt++) {
      try {
        return await write();
      } catch (err) {
        if (err instanceof LeaseLostError) return { status: 'lost', error: err };
        if (!transient(err) || Date.now() - started >= this.retryForMs) return { status: 'error', error: err instanceof EsJobsError ? err : new EsJobsError(ErrorCode.Internal, toError(err).message, { cause: err }) };
        const delay = Math.min(2_000, 50 * 2 ** Math.min(attempt, 6)) * (0.5 + Math.random() / 2);
        this.logger.warn('could not write job outcome; retrying', { jobId: job.id, write: what, attempt, delayMs: Math.round(delay), error: toError(err).message });
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }

  flush(): Promise<void> {
    return this.store.flush();
  }
}
