/**
 * `defineJob`: a job type with its handler. The returned definition is also a core `JobType`, so
 * its payload and result types flow to producers:
 *
 * ```ts
 * export const sendEmail = defineJob({
 *   name: 'send-email',
 *   handler: async (p: { to: string }, ctx) => { ...; return { messageId }; },
 * });
 * // producer side (scheduler): payload checked against the handler's parameter
 * await scheduler.enqueue(sendEmail, { to: 'a@b.c' });
 * // or, without importing handler code: type Jobs = JobMapOf<typeof import('./jobs.js')>
 * ```
 */
import { type BackoffOption, type Duration, type JobType, ValidationError, parseDuration, validateBackoff, validateJobName, validateQueueName } from '@esjobs/core';
import type { JobContext } from './job-context.js';

export type JobHandler<Payload, Result> = (payload: Payload, ctx: JobContext) => Promise<Result> | Result;

export interface JobDefinitionInput<Name extends string, Payload, Result> {
  /** Unique job name; enqueue uses it and workers claim only names they have handlers for. */
  readonly name: Name;
  /**
   * `(payload, ctx) => result`: runs one attempt; its return value is stored as the job's result,
   * a throw fails the attempt (see `JobContext` for `ctx`).
   */
  readonly handler: JobHandler<Payload, Result>;
  /** Default queue for enqueues of this type. @defaultValue `'default'` */
  readonly queue?: string;
  /** Default total attempts, first included. @defaultValue `3` */
  readonly attempts?: number;
  /** Default retry delay policy. @defaultValue exponential from 1 s, capped at 1 h, jitter 0.2 */
  readonly backoff?: BackoffOption | null;
  /**
   * Per-attempt time limit: the handler's signal aborts and the attempt fails. Overrides the
   * timeout stored with the job. @defaultValue none (the job's own `timeout`, if any)
   */
  readonly timeout?: Duration | null;
  /** Most jobs of this type one worker runs at once. @defaultValue unlimited (the worker's concurrency) */
  readonly concurrency?: number;
}

export interface JobDefinition<Name extends string = string, Payload = unknown, Result = unknown> extends JobType<Name, Payload, Result> {
  readonly handler: JobHandler<Payload, Result>;
  readonly concurrency?: number;
  /** Validated timeout in ms, or null. */
  readonly timeoutMs: number | null;
}

/**
 * Any definition, whatever its payload and result types (for worker options and loaders). The
 * payload is `never` because handler parameters are contravariant: every typed handler fits.
 */
export type AnyJobDefinition = JobDefinition<string, never, unknown>;

export function defineJob<const Name extends string, Payload = unknown, Result = unknown>(
  input: JobDefinitionInput<Name, Payload, Result>,
): JobDefinition<Name, Payload, Result> {
  if (typeof input !== 'object' || input === null) throw new ValidationError('defineJob', input, 'expects { name, handler, ... }');
  validateJobName(input.name, 'defineJob.name');
  if (typeof input.handler !== 'function') throw new ValidationError(`defineJob(${input.name}).handler`, input.handler, 'must be a function (payload, ctx) => result');
  const f = (k: string): string => `defineJob(${input.name}).${k}`;
  if (input.queue !== undefined) validateQueueName(input.queue, f('queue'));
  if (input.attempts !== undefined && (!Number.isInteger(input.attempts) || input.attempts < 1)) {
    throw new ValidationError(f('attempts'), input.attempts, 'must be a positive integer');
  }
  if (input.backoff !== undefined) validateBackoff(input.backoff, f('backoff'));
  if (input.concurrency !== undefined && (!Number.isInteger(input.concurrency) || input.concurrency < 1)) {
    throw new ValidationError(f('concurrency'), input.concurrency, 'must be a positive integer');
  }
  const timeoutMs = input.timeout === undefined || input.timeout === null ? null : parseDuration(f('timeout'), input.timeout);
  return Object.freeze({ ...input, timeoutMs });
}

/** Recognises a definition among a module's exports. */
export function isJobDefinition(value: unknown): value is AnyJobDefinition {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v['name'] === 'string' && typeof v['handler'] === 'function' && 'timeoutMs' in v;
}
