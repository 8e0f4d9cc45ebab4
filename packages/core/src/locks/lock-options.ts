/**
 * Options of `acquire` / `withLock`: defaults, `withLockDefaults()` and `validateLockOptions()`.
 */
import { parseDuration, type Duration } from '../duration.js';
import { ValidationError } from '../errors.js';

/** Lease of a lock when none is given. */
export const lockTtlMsDefault = 30_000;
/** How long `acquire` waits for a held lock when no wait is given. */
export const lockWaitMsDefault = 10_000;
/** First retry delay while waiting for a held lock; doubles up to `lockRetryMaxMsDefault`. */
export const lockRetryMinMsDefault = 25;
export const lockRetryMaxMsDefault = 1_000;
export const LOCK_TTL_MIN_MS = 10;
export const OWNER_MAX_BYTES = 256;

export interface LockOptions {
  /**
   * Lease of the lock in ms; past it, another party may take the lock over.
   * @defaultValue 30000
   */
  readonly ttlMs?: number;
  /**
   * Lease as a Duration (`"30s"`); alternative to `ttlMs`.
   * @defaultValue "30s"
   */
  readonly ttl?: Duration;
  /**
   * How long to wait for a held lock before LockTimeoutError; 0 tries once.
   * @defaultValue 10000
   */
  readonly waitMs?: number;
  /**
   * Wait as a Duration; alternative to `waitMs`.
   * @defaultValue "10s"
   */
  readonly wait?: Duration;
  /**
   * Owner id written into the lock document.
   * @defaultValue the LockManager's owner id (host, pid and a random suffix)
   */
  readonly owner?: string;
  /**
   * Background renewal interval of `withLock`.
   * @defaultValue a third of the ttl
   */
  readonly renewEveryMs?: number;
  /**
   * First backoff delay while waiting; doubles (with jitter) up to `retryMaxMs`.
   * @defaultValue 25
   */
  readonly retryMinMs?: number;
  /**
   * Largest backoff delay while waiting.
   * @defaultValue 1000
   */
  readonly retryMaxMs?: number;
  /**
   * Stops waiting (rejects with the signal's reason).
   * @defaultValue none
   */
  readonly signal?: AbortSignal;
}

export interface ResolvedLockOptions {
  readonly ttlMs: number;
  readonly waitMs: number;
  readonly owner: string;
  readonly renewEveryMs: number;
  readonly retryMinMs: number;
  readonly retryMaxMs: number;
  readonly signal: AbortSignal | undefined;
}

function pick(msField: string, msValue: unknown, durField: string, durValue: unknown, allowZero: boolean): number | undefined {
  if (msValue !== undefined && durValue !== undefined) {
    throw new ValidationError(durField, durValue, `give either ${msField} or ${durField}, not both`);
  }
  if (msValue !== undefined) {
    if (typeof msValue !== 'number') throw new ValidationError(msField, msValue, 'must be a number of milliseconds');
    return parseDuration(msField, msValue, { allowZero });
  }
  if (durValue !== undefined) return parseDuration(durField, durValue, { allowZero });
  return undefined;
}

/** Validate and fill in defaults; `defaultOwner` comes from the LockManager. */
export function withLockDefaults(options: LockOptions | undefined, defaultOwner: string): ResolvedLockOptions {
  const o: LockOptions = options ?? {};
  if (typeof o !== 'object' || o === null) throw new ValidationError('options', o, 'must be an object');
  const ttlMs = pick('ttlMs', o.ttlMs, 'ttl', o.ttl, false) ?? lockTtlMsDefault;
  if (ttlMs < LOCK_TTL_MIN_MS) throw new ValidationError(o.ttl !== undefined ? 'ttl' : 'ttlMs', o.ttl ?? o.ttlMs, `must be at least ${LOCK_TTL_MIN_MS} ms`);
  const waitMs = pick('waitMs', o.waitMs, 'wait', o.wait, true) ?? lockWaitMsDefault;
  const owner = o.owner ?? defaultOwner;
  validateOwner(owner);
  const renewEveryMs = o.renewEveryMs === undefined ? Math.max(1, Math.floor(ttlMs / 3)) : parseDuration('renewEveryMs', o.renewEveryMs);
  if (renewEveryMs >= ttlMs) throw new ValidationError('renewEveryMs', o.renewEveryMs, `must be shorter than the ttl (${ttlMs} ms)`);
  const retryMinMs = o.retryMinMs === undefined ? lockRetryMinMsDefault : parseDuration('retryMinMs', o.retryMinMs);
  const retryMaxMs = o.retryMaxMs === undefined ? lockRetryMaxMsDefault : parseDuration('retryMaxMs', o.retryMaxMs);
  if (retryMaxMs < retryMinMs) throw new ValidationError('retryMaxMs', retryMaxMs, `must not be below retryMinMs (${retryMinMs})`);
  if (o.signal !== undefined && !(o.signal instanceof AbortSignal)) throw new ValidationError('signal', o.signal, 'must be an AbortSignal');
  return { ttlMs, waitMs, owner, renewEveryMs, retryMinMs, retryMaxMs, signal: o.signal };
}

export function validateOwner(owner: unknown, field = 'owner'): string {
  if (typeof owner !== 'string' || owner === '') throw new ValidationError(field, owner, 'must be a non-empty string');
  const bytes = Buffer.byteLength(owner, 'utf8');
  if (bytes > OWNER_MAX_BYTES) throw new ValidationError(field, owner, `is ${bytes} bytes long; at most ${OWNER_MAX_BYTES} allowed`);
  return owner;
}
