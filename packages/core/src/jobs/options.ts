/**
 * Per-job options (`enqueue(name, payload, options)`): defaults, `withDefaults()` and `validate()`.
 * Validation runs before any request, so bad input never reaches the indices.
 */
import { parseDuration } from '../duration.js';
import type { Duration } from '../duration.js';
import { ValidationError } from '../errors.js';
import { validateQueueName } from '../indices/names.js';
import type { StoredBackoff } from './job.js';
import { backoffDefault, toStoredBackoff, validateBackoff } from '../backoff.js';
import type { BackoffOptions } from '../backoff.js';

/** Retry delay policy: a duration (fixed), `{ type, delay, maxDelay?, jitter? }`, or a function (see backoff.ts). */
export type BackoffOption = BackoffOptions;

export interface JobOptions {
  /** @defaultValue `'default'` */
  readonly queue?: string;
  /** Integer, higher runs first. @defaultValue `0` */
  readonly priority?: number;
  /** Run no earlier than now + delay (not together with `runAt`). @defaultValue `0` */
  readonly delay?: Duration;
  /** Run no earlier than this time: Date, ISO string or epoch ms (not together with `delay`). @defaultValue now */
  readonly runAt?: Date | string | number;
  /** Idempotency key: enqueueing an existing id returns the existing job with `created: false`. @defaultValue a random UUID */
  readonly jobId?: string;
  /** Total attempts including the first. @defaultValue `3` */
  readonly attempts?: number;
  /** Delay before each retry: a duration (fixed) or a policy. @defaultValue exponential from 1 s, capped at 1 h, jitter 0.2 */
  readonly backoff?: BackoffOption | null;
  /** Per-attempt time limit, enforced by the worker. @defaultValue `null` (none) */
  readonly timeout?: Duration | null;
  /** Lease expiries tolerated before the job is dead-lettered. @defaultValue `1` */
  readonly maxStalls?: number;
  /** Set by the scheduler for recurring fires. @defaultValue none */
  readonly scheduleName?: string;
  /** Set by the scheduler for recurring fires. @defaultValue none */
  readonly fireTime?: Date | string | number;
}

export const queueDefault = 'default';
export const priorityDefault = 0;
export const attemptsDefault = 3;
export const maxStallsDefault = 1;

/** Options after validation, with every default applied and times resolved against `now`. */
export interface ResolvedJobOptions {
  readonly queue: string;
  readonly priority: number;
  readonly runAtMs: number;
  readonly jobId: string | undefined;
  readonly maxAttempts: number;
  readonly backoff: StoredBackoff | null;
  readonly timeoutMs: number | null;
  readonly maxStalls: number;
  readonly scheduleName: string | undefined;
  readonly fireTimeMs: number | undefined;
}

const INT_MIN = -2_147_483_648;
const INT_MAX = 2_147_483_647;
/** Elasticsearch rejects ids longer than 512 bytes. */
export const JOB_ID_MAX_BYTES = 512;
const KNOWN = new Set(['queue', 'priority', 'delay', 'runAt', 'jobId', 'attempts', 'backoff', 'timeout', 'maxStalls', 'scheduleName', 'fireTime']);

export function validateJobName(name: unknown, field = 'name'): string {
  if (typeof name !== 'string' || name.trim() === '') throw new ValidationError(field, name, 'must be a non-empty string');
  if (Buffer.byteLength(name, 'utf8') > 256) throw new ValidationError(field, name, 'must be at most 256 bytes');
  return name;
}

export function validateJobId(id: unknown, field = 'jobId'): string {
  if (typeof id !== 'string' || id === '') throw new ValidationError(field, id, 'must be a non-empty string');
  if (id.startsWith('_')) throw new ValidationError(field, id, 'must not start with "_" (reserved by Elasticsearch)');
  if (Buffer.byteLength(id, 'utf8') > JOB_ID_MAX_BYTES) throw new ValidationError(field, id, `must be at most ${JOB_ID_MAX_BYTES} bytes`);
  return id;
}

/** Parse a point in time: Date, ISO-8601 string or epoch milliseconds. */
export function parseTime(field: string, value: unknown): number {
  let t = Number.NaN;
  if (value instanceof Date) t = value.getTime();
  else if (typeof value === 'number') t = Number.isInteger(value) ? value : Number.NaN;
  else if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}/.test(value)) t = Date.parse(value);
  if (!Number.isFinite(t) || t < 0) throw new ValidationError(field, value, 'must be a Date, an ISO-8601 string or epoch milliseconds');
  return t;
}

function integerIn(field: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ValidationError(field, value, `must be an integer from ${min} to ${max}`);
  }
  return value;
}

/** Check a raw options object; throws ValidationError naming the field. */
export function validate(options: unknown, now: number, field = 'options'): ResolvedJobOptions {
  if (options === undefined) return withDefaults({}, now);
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new ValidationError(field, options, 'must be an object');
  }
  const o = options as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (!KNOWN.has(key)) throw new ValidationError(`${field}.${key}`, o[key], `unknown job option (known: ${[...KNOWN].join(', ')})`);
  }
  return withDefaults(o as JobOptions, now, field);
}

/** Apply defaults and resolve times; validates every value it reads. */
export function withDefaults(options: JobOptions, now: number, field = 'options'): ResolvedJobOptions {
  const f = (k: string): string => `${field}.${k}`;
  const queue = options.queue === undefined ? queueDefault : validateQueueName(options.queue, f('queue'));
  const priority = options.priority === undefined ? priorityDefault : integerIn(f('priority'), options.priority, INT_MIN, INT_MAX);
  if (options.delay !== undefined && options.runAt !== undefined) {
    throw new ValidationError(f('runAt'), options.runAt, 'give either delay or runAt, not both');
  }
  let runAtMs = now;
  if (options.delay !== undefined) runAtMs = now + parseDuration(f('delay'), options.delay, { allowZero: true });
  if (options.runAt !== undefined) runAtMs = parseTime(f('runAt'), options.runAt);
  const jobId = options.jobId === undefined ? undefined : validateJobId(options.jobId, f('jobId'));
  const maxAttempts = options.attempts === undefined ? attemptsDefault : integerIn(f('attempts'), options.attempts, 1, 10_000);
  const resolved = options.backoff === undefined ? backoffDefault : validateBackoff(options.backoff, f('backoff'));
  const backoff = resolved === null ? null : toStoredBackoff(resolved);
  const timeoutMs = options.timeout === undefined || options.timeout === null ? null : parseDuration(f('timeout'), options.timeout);
  const maxStalls = options.maxStalls === undefined ? maxStallsDefault : integerIn(f('maxStalls'), options.maxStalls, 0, 10_000);
  const scheduleName = options.scheduleName === undefined ? undefined : validateJobName(options.scheduleName, f('scheduleName'));
  const fireTimeMs = options.fireTime === undefined ? undefined : parseTime(f('fireTime'), options.fireTime);
  return { queue, priority, runAtMs, jobId, maxAttempts, backoff, timeoutMs, maxStalls, scheduleName, fireTimeMs };
}
