/**
 * Core-level options shared by every esjobs component (Worker, Scheduler, CLI): where
 * Elasticsearch is, the index prefix, the clock, the payload limit and backpressure tuning.
 * Defaults, `withDefaults()` and `validate()` live here; components extend these options.
 */
import { systemClock, type Clock } from '../clock.js';
import { isClientLike, type EsOption } from '../connection.js';
import { ValidationError } from '../errors.js';
import { prefixDefault, validatePrefix } from '../indices/names.js';
import { maxPayloadBytesDefault, validateMaxPayloadBytes } from '../payload.js';
import { validateBackpressureOptions, type BackpressureOptions, type ResolvedBackpressureOptions } from './backpressure.js';

export { prefixDefault, maxPayloadBytesDefault };
export const clockDefault: Clock = systemClock;

export interface CoreOptions {
  /**
   * Elasticsearch: a URL, connection options `{ node, apiKey, username, password, bearer, caFile,
   * ca, caFingerprint, tls }`, or your own @elastic/elasticsearch Client (8.x or 9.x).
   * @defaultValue from `ESJOBS_ES_URL` and the other `ESJOBS_ES_*` variables
   */
  readonly es?: EsOption;
  /**
   * Prefix of every index name (`<prefix>-jobs`, …): lowercase, no `* , / \ ? " < > | # :` or
   * spaces, not starting with `_ - +`.
   * @defaultValue "esjobs"
   */
  readonly prefix?: string;
  /**
   * Time source; tests inject a ManualClock.
   * @defaultValue systemClock
   */
  readonly clock?: Clock;
  /**
   * Largest serialized job payload in bytes.
   * @defaultValue 524288 (512 KiB)
   */
  readonly maxPayloadBytes?: number;
  /**
   * Retry and batch-size adaptation when the cluster answers 429/503.
   * @defaultValue see options/backpressure.ts (6 attempts, 100 ms base, 5 s cap, ×0.8 / +5 % per 10 s)
   */
  readonly backpressure?: BackpressureOptions;
}

export interface ResolvedCoreOptions {
  /** Unresolved on purpose: connecting happens in createClient, not during validation. */
  readonly es: EsOption | undefined;
  readonly prefix: string;
  readonly clock: Clock;
  readonly maxPayloadBytes: number;
  readonly backpressure: ResolvedBackpressureOptions;
}

const KNOWN = ['es', 'prefix', 'clock', 'maxPayloadBytes', 'backpressure'] as const;

/** Fill in defaults without checking (use `validate` on untrusted input). */
export function withDefaults(options: CoreOptions = {}): CoreOptions & { readonly prefix: string; readonly clock: Clock; readonly maxPayloadBytes: number } {
  return {
    ...options,
    prefix: options.prefix ?? prefixDefault,
    clock: options.clock ?? clockDefault,
    maxPayloadBytes: options.maxPayloadBytes ?? maxPayloadBytesDefault,
  };
}

/**
 * Validate core options and apply defaults. `allowUnknown` lists keys a component adds on top
 * (e.g. the Worker's `concurrency`), which are left to that component's own validate().
 */
export function validate(options: unknown = {}, allowUnknown: readonly string[] = []): ResolvedCoreOptions {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new ValidationError('options', options, 'must be an object');
  }
  const o = options as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (!(KNOWN as readonly string[]).includes(key) && !allowUnknown.includes(key)) {
      throw new ValidationError(key, typeof o[key], `unknown option (known: ${[...KNOWN, ...allowUnknown].join(', ')})`);
    }
  }
  const es = o.es;
  if (es !== undefined && typeof es !== 'string' && !isClientLike(es) && (typeof es !== 'object' || es === null || Array.isArray(es))) {
    throw new ValidationError('es', typeof es, 'must be a URL, connection options, or an @elastic/elasticsearch Client');
  }
  const clock = o.clock ?? clockDefault;
  if (typeof clock !== 'object' || clock === null || typeof (clock as Clock).now !== 'function' || typeof (clock as Clock).sleep !== 'function') {
    throw new ValidationError('clock', clock, 'must have now() and sleep(ms, signal)');
  }
  return {
    es: es as EsOption | undefined,
    prefix: validatePrefix(o.prefix ?? prefixDefault),
    clock: clock as Clock,
    maxPayloadBytes: validateMaxPayloadBytes(o.maxPayloadBytes ?? maxPayloadBytesDefault),
    backpressure: validateBackpressureOptions(o.backpressure ?? {}),
  };
}
