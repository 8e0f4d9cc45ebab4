/**
 * Options for how the backend reacts when Elasticsearch pushes back (429 / 503): retry timing for
 * a single request, and how batch sizes shrink and recover (multiplicative decrease, additive
 * increase, like Kibana's task manager).
 */
import { parseDuration, type Duration } from '../duration.js';
import { ValidationError } from '../errors.js';

export interface BackpressureOptions {
  /**
   * Attempts per request (first try included) when the cluster answers 429/503.
   * @defaultValue 6
   */
  readonly maxAttempts?: number;
  /**
   * Backoff base: retry n waits a random time in [0, min(maxDelay, baseDelay * 2^(n-1))] (full jitter).
   * @defaultValue 100 (ms)
   */
  readonly baseDelay?: Duration;
  /**
   * Cap of one retry wait.
   * @defaultValue 5000 (ms)
   */
  readonly maxDelay?: Duration;
  /**
   * Window over which the recent 429/503 rate is computed.
   * @defaultValue 60000 (ms)
   */
  readonly rateWindow?: Duration;
  /**
   * Batch sizes shrink only while 429/503 rejections are at least this fraction of the requests
   * (and bulk items) of the last 10 s (or `rateWindow`, if shorter); rarer rejections are just
   * retried. 0 shrinks on every rejection.
   * @defaultValue 0.05
   */
  readonly shrinkAboveRate?: number;
  /**
   * Factor a batch size is multiplied by on pushback (0 < factor < 1).
   * @defaultValue 0.8
   */
  readonly decreaseFactor?: number;
  /**
   * Minimum time between two decreases, so one burst of rejections counts once.
   * @defaultValue 1000 (ms)
   */
  readonly decreaseCooldown?: Duration;
  /**
   * Batch sizes grow back by this fraction of their maximum (at least 1) ...
   * @defaultValue 0.05
   */
  readonly increaseFraction?: number;
  /**
   * ... after each interval of this length without pushback.
   * @defaultValue 10000 (ms)
   */
  readonly recoverInterval?: Duration;
}

export interface ResolvedBackpressureOptions {
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  readonly rateWindowMs: number;
  readonly shrinkAboveRate: number;
  readonly decreaseFactor: number;
  readonly decreaseCooldownMs: number;
  readonly increaseFraction: number;
  readonly recoverIntervalMs: number;
}

export const maxAttemptsDefault = 6;
export const baseDelayMsDefault = 100;
export const maxDelayMsDefault = 5_000;
export const rateWindowMsDefault = 60_000;
export const shrinkAboveRateDefault = 0.05;
export const decreaseFactorDefault = 0.8;
export const decreaseCooldownMsDefault = 1_000;
export const increaseFractionDefault = 0.05;
export const recoverIntervalMsDefault = 10_000;

/** Validate and fill in defaults; `field` prefixes error messages (`backpressure.maxAttempts`). */
export function validateBackpressureOptions(options: unknown = {}, field = 'backpressure'): ResolvedBackpressureOptions {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new ValidationError(field, options, 'must be an object');
  }
  const o = options as Record<string, unknown>;
  const known = new Set(['maxAttempts', 'baseDelay', 'maxDelay', 'rateWindow', 'shrinkAboveRate', 'decreaseFactor', 'decreaseCooldown', 'increaseFraction', 'recoverInterval']);
  for (const key of Object.keys(o)) {
    if (!known.has(key)) throw new ValidationError(`${field}.${key}`, o[key], `unknown option (known: ${[...known].join(', ')})`);
  }
  const maxAttempts = o.maxAttempts ?? maxAttemptsDefault;
  if (typeof maxAttempts !== 'number' || !Number.isInteger(maxAttempts) || maxAttempts < 1 || maxAttempts > 100) {
    throw new ValidationError(`${field}.maxAttempts`, maxAttempts, 'must be an integer from 1 to 100');
  }
  const fraction = (name: string, value: unknown, def: number, max: number, inclusiveMax: boolean): number => {
    const v = value ?? def;
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0 || (inclusiveMax ? v > max : v >= max)) {
      throw new ValidationError(`${field}.${name}`, v, `must be a number greater than 0 and ${inclusiveMax ? 'at most' : 'less than'} ${max}`);
    }
    return v;
  };
  const shrinkAboveRate = o.shrinkAboveRate ?? shrinkAboveRateDefault;
  if (typeof shrinkAboveRate !== 'number' || !Number.isFinite(shrinkAboveRate) || shrinkAboveRate < 0 || shrinkAboveRate > 1) {
    throw new ValidationError(`${field}.shrinkAboveRate`, shrinkAboveRate, 'must be a number from 0 to 1');
  }
  const baseDelayMs = o.baseDelay === undefined ? baseDelayMsDefault : parseDuration(`${field}.baseDelay`, o.baseDelay);
  const maxDelayMs = o.maxDelay === undefined ? maxDelayMsDefault : parseDuration(`${field}.maxDelay`, o.maxDelay);
  if (maxDelayMs < baseDelayMs) throw new ValidationError(`${field}.maxDelay`, o.maxDelay, `must be at least baseDelay (${baseDelayMs} ms)`);
  return {
    maxAttempts,
    baseDelayMs,
    maxDelayMs,
    rateWindowMs: o.rateWindow === undefined ? rateWindowMsDefault : parseDuration(`${field}.rateWindow`, o.rateWindow),
    shrinkAboveRate,
    decreaseFactor: fraction('decreaseFactor', o.decreaseFactor, decreaseFactorDefault, 1, false),
    decreaseCooldownMs:
      o.decreaseCooldown === undefined ? decreaseCooldownMsDefault : parseDuration(`${field}.decreaseCooldown`, o.decreaseCooldown, { allowZero: true }),
    increaseFraction: fraction('increaseFraction', o.increaseFraction, increaseFractionDefault, 1, true),
    recoverIntervalMs: o.recoverInterval === undefined ? recoverIntervalMsDefault : parseDuration(`${field}.recoverInterval`, o.recoverInterval),
  };
}

/** Fill in defaults for options already known to be valid (durations parsed, no range checks). */
export function withDefaults(options: BackpressureOptions = {}): ResolvedBackpressureOptions {
  const ms = (field: string, v: Duration | undefined, def: number): number => (v === undefined ? def : parseDuration(`backpressure.${field}`, v, { allowZero: true }));
  return {
    maxAttempts: options.maxAttempts ?? maxAttemptsDefault,
    baseDelayMs: ms('baseDelay', options.baseDelay, baseDelayMsDefault),
    maxDelayMs: ms('maxDelay', options.maxDelay, maxDelayMsDefault),
    rateWindowMs: ms('rateWindow', options.rateWindow, rateWindowMsDefault),
    shrinkAboveRate: options.shrinkAboveRate ?? shrinkAboveRateDefault,
    decreaseFactor: options.decreaseFactor ?? decreaseFactorDefault,
    decreaseCooldownMs: ms('decreaseCooldown', options.decreaseCooldown, decreaseCooldownMsDefault),
    increaseFraction: options.increaseFraction ?? increaseFractionDefault,
    recoverIntervalMs: ms('recoverInterval', options.recoverInterval, recoverIntervalMsDefault),
  };
}

/** Validate untrusted options and apply defaults (same as validateBackpressureOptions). */
export const validate = validateBackpressureOptions;
