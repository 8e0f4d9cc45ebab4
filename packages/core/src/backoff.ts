/**
 * Retry backoff for failed jobs: fixed, exponential with jitter, or a custom function.
 *
 * Durations are milliseconds or `ms` strings (`"30s"`). `attempt` is always the attempt that just
 * failed, 1-based: the wait before attempt 2 is `computeBackoff(b, 1)`.
 *
 * Exponential: `delay * 2^(attempt-1)`, capped at `maxDelay`, then `jitter` of it randomised
 * downwards: `capped * (1 - jitter * rng())`. jitter 0 is deterministic, 1 is "full jitter"; the
 * default 0.2 keeps retries close to the schedule a user reads in the options while still spreading
 * a burst of failures across 20 % of the interval.
 *
 * Custom functions cannot be stored in Elasticsearch. A job stores `{ type: 'custom' }`; the
 * worker that fails the job resolves the function from its job definition (`defineJob(..., {
 * backoff })`) and passes the resulting delay to the store. A worker without the definition falls
 * back to `customFallback` (the default exponential policy).
 */
import { parseDuration, type Duration } from './duration.js';
import { ValidationError } from './errors.js';

/** `(attempt that failed, 1-based; the error it failed with) → wait in ms (or an `ms` string). */
export type BackoffFunction = (attempt: number, error: unknown) => number | string;

export type BackoffOptions =
  /** Shorthand for `{ type: 'fixed', delay }`. */
  | Duration
  | { readonly type: 'fixed'; readonly delay: Duration }
  | {
      readonly type: 'exponential';
      /** Base delay (first retry). */
      readonly delay: Duration;
      /** Cap on one delay. @defaultValue 1 h */
      readonly maxDelay?: Duration;
      /** 0..1: fraction of each delay randomised downwards. @defaultValue 0.2 */
      readonly jitter?: number;
    }
  | BackoffFunction;

/** Validated backoff; the first two forms are what a job document stores. */
export type ResolvedBackoff =
  | { readonly type: 'fixed'; readonly delayMs: number }
  | { readonly type: 'exponential'; readonly delayMs: number; readonly maxDelayMs: number; readonly jitter: number }
  | { readonly type: 'custom'; readonly fn: BackoffFunction };

/** JSON form stored with a job (custom functions stay in the process that defined them). */
export type StoredBackoffPolicy =
  | { readonly type: 'fixed'; readonly delayMs: number }
  | { readonly type: 'exponential'; readonly delayMs: number; readonly maxDelayMs: number; readonly jitter: number }
  | { readonly type: 'custom' };

export const backoffJitterDefault = 0.2;
export const backoffMaxDelayMsDefault = 60 * 60 * 1000;
/** Default policy: exponential from 1 s, capped at 1 h, jitter 0.2. */
export const backoffDefault: ResolvedBackoff = Object.freeze({
  type: 'exponential',
  delayMs: 1000,
  maxDelayMs: backoffMaxDelayMsDefault,
  jitter: backoffJitterDefault,
});
/** Used for `{ type: 'custom' }` when the function is not available (see the module comment). */
export const customFallback: ResolvedBackoff = backoffDefault;

/** Validate user input into a ResolvedBackoff; `null` means "retry immediately". */
export function validateBackoff(value: unknown, field = 'backoff'): ResolvedBackoff | null {
  if (value === null) return null;
  if (typeof value === 'function') {
    if (value.length > 2) throw new ValidationError(field, value, 'a custom backoff takes (attempt, error) and returns milliseconds');
    return { type: 'custom', fn: value as BackoffFunction };
  }
  if (typeof value === 'number' || typeof value === 'string') {
    return { type: 'fixed', delayMs: parseDuration(field, value, { allowZero: true }) };
  }
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new ValidationError(field, value, 'must be a duration, { type: "fixed" | "exponential", delay, ... }, a function (attempt, error) => ms, or null');
  }
  const b = value as Record<string, unknown>;
  const type = b.type;
  const allowed = type === 'fixed' ? ['type', 'delay'] : ['type', 'delay', 'maxDelay', 'jitter'];
  if (type !== 'fixed' && type !== 'exponential') throw new ValidationError(`${field}.type`, type, 'must be "fixed" or "exponential"');
  for (const key of Object.keys(b)) {
    if (!allowed.includes(key)) throw new ValidationError(`${field}.${key}`, b[key], `unknown option for ${type} backoff (allowed: ${allowed.join(', ')})`);
  }
  const delayMs = parseDuration(`${field}.delay`, b.delay, { allowZero: true });
  if (type === 'fixed') return { type, delayMs };
  const maxDelayMs = b.maxDelay === undefined ? Math.max(backoffMaxDelayMsDefault, delayMs) : parseDuration(`${field}.maxDelay`, b.maxDelay, { allowZero: true });
  if (maxDelayMs < delayMs) throw new ValidationError(`${field}.maxDelay`, b.maxDelay, `must not be less than delay (${delayMs} ms)`);
  const jitter = b.jitter ?? backoffJitterDefault;
  if (typeof jitter !== 'number' || !(jitter >= 0 && jitter <= 1)) throw new ValidationError(`${field}.jitter`, jitter, 'must be a number from 0 to 1');
  return { type, delayMs, maxDelayMs, jitter };
}

/** The JSON-storable form of a resolved backoff. */
export function toStoredBackoff(b: ResolvedBackoff): StoredBackoffPolicy {
  if (b.type === 'custom') return { type: 'custom' };
  return b;
}

/**
 * Wait in ms before the next attempt, after `attempt` (1-based) failed with `error`.
 * Accepts raw options (validated here) or an already resolved/stored policy; `null` → 0.
 * A custom function's result is validated: a bad return value throws a ValidationError.
 */
export function computeBackoff(
  options: BackoffOptions | ResolvedBackoff | StoredBackoffPolicy | null,
  attempt: number,
  rng: () => number = Math.random,
  error?: unknown,
): number {
  if (!Number.isInteger(attempt) || attempt < 1) throw new ValidationError('attempt', attempt, 'must be an integer ≥ 1');
  const b = isResolved(options) ? options : validateBackoff(options);
  if (b === null) return 0;
  if (b.type === 'custom') {
    if (!hasFunction(b)) return computeBackoff(customFallback, attempt, rng, error);
    const out = b.fn(attempt, error);
    return parseDuration(`backoff(attempt ${attempt})`, out, { allowZero: true });
  }
  if (b.type === 'fixed') return b.delayMs;
  // exponent bounded so 2^n stays finite; the cap applies anyway
  const raw = b.delayMs * 2 ** Math.min(attempt - 1, 52);
  const capped = Math.min(raw, b.maxDelayMs);
  const r = rng();
  const unit = Number.isFinite(r) ? Math.min(Math.max(r, 0), 1) : 0;
  return Math.round(capped * (1 - b.jitter * unit));
}

function isResolved(v: unknown): v is ResolvedBackoff | StoredBackoffPolicy | null {
  if (v === null) return true;
  if (typeof v !== 'object') return false;
  const o = v as Record<string, unknown>;
  if (o.type === 'custom') return true;
  return typeof o.delayMs === 'number' && (o.type === 'fixed' || (typeof o.maxDelayMs === 'number' && typeof o.jitter === 'number'));
}

function hasFunction(b: ResolvedBackoff | StoredBackoffPolicy): b is { readonly type: 'custom'; readonly fn: BackoffFunction } {
  return b.type === 'custom' && 'fn' in b && typeof b.fn === 'function';
}
