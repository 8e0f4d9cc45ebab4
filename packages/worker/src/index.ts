export { Worker, type WorkerState, type StopOptions, type WorkerStats } from './worker.js';
export { defineJob, isJobDefinition, type JobDefinition, type JobDefinitionInput, type JobHandler, type AnyJobDefinition } from './define-job.js';
export type { JobContext, JobInfo } from './job-context.js';
export { RetryLaterError } from './retry-later.js';
export { WorkerShutdownError } from './shutdown-error.js';
export { childLogger, silentLogger, type Logger, type LogFields } from './logger.js';
export {
  validate as validateWorkerOptions,
  withDefaults as workerOptionsWithDefaults,
  reapIntervalMsFor,
  queuesDefault,
  concurrencyDefault,
  leaseMsDefault,
  shutdownTimeoutMsDefault,
  pollMinMsDefault,
  pollMaxMsDefault,
  registryIntervalMsDefault,
  type WorkerOptions,
  type ResolvedWorkerOptions,
} from './options.js';
// Errors handlers throw or see on their signal, re-exported for convenience.
export { UnrecoverableError, JobTimeoutError, JobCancelledError, LeaseLostError } from '@esjobs/core';
export type { JobType, PayloadOf, ResultOf, JobMapOf } from '@esjobs/core';
