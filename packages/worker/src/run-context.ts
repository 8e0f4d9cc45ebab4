/**
 * The `JobContext` a handler receives. A class with its getters on the prototype, not an object
 * literal: V8 gives every literal whose getters are fresh closures a hidden class of its own, in
 * the old generation, and through those closures' scope a dead one kept the run and its job
 * document alive through young-generation collections until the next full one. With the literal
 * (and the running-jobs table, see running-jobs.ts) nearly every job's document was promoted.
 */
import { type Duration, toMs } from '@esjobs/core';
import type { ActiveJob } from './active-job.js';
import { type JobContext, type JobInfo, scheduleInfo } from './job-context.js';
import { childLogger, type Logger } from './logger.js';
import { RetryLaterError } from './retry-later.js';

/** What a run context needs from its worker; one per worker, shared by every run. */
export interface RunContextHost {
  readonly workerId: string;
  readonly logger: Logger;
  /** Validates and records a progress report of the run. */
  progress(active: ActiveJob, value: unknown): void;
}

export class RunContext implements JobContext {
  readonly job: JobInfo;
  private readonly active: ActiveJob;
  private readonly host: RunContextHost;
  /** Built on first use: most handlers never log, and a logger per job is garbage per job. */
  private logger: Logger | undefined;

  constructor(active: ActiveJob, host: RunContextHost) {
    const { job } = active;
    this.active = active;
    this.host = host;
    this.job = {
      id: job.id,
      name: job.doc.name,
      queue: job.doc.queue,
      attempt: job.doc.attempt,
      maxAttempts: job.doc.maxAttempts,
      priority: job.doc.priority,
      enqueuedAt: toMs(job.doc.enqueuedAt) ?? 0,
      ...scheduleInfo(job.doc),
    };
  }

  get signal(): AbortSignal {
    return this.active.signal;
  }

  get log(): Logger {
    const { doc, id } = this.active.job;
    this.logger ??= childLogger(this.host.logger, { workerId: this.host.workerId, jobId: id, job: doc.name, attempt: doc.attempt });
    return this.logger;
  }

  // Properties, not methods: handlers may pass `ctx.progress` or `ctx.retryLater` on unbound.
  readonly progress = (value: unknown): void => {
    this.host.progress(this.active, value);
  };

  readonly retryLater = (delay: Duration = 0): never => {
    throw new RetryLaterError(delay);
  };
}
