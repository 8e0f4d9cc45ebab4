/**
 * Scheduler options: defaults (`…Default`), `withDefaults()` and `validate()`. Durations are
 * `…Ms` numbers; errors name the option and the bad value.
 */
import { type BackendContext, type Clock, type EsOption, type EventBus, ValidationError, isClientLike, prefixDefault, systemClock, validatePrefix } from '@esjobs/core';

type Client = BackendContext['client'];

export const misfireGraceMsDefault = 10_000;
export const maxSleepMsDefault = 1_000;
export const retryDelayMsDefault = 1_000;
export const enqueueConcurrencyDefault = 2;
export const enqueueBatchMaxDefault = 1_000;

export interface SchedulerOptions {
  /**
   * Where the jobs are: an @elastic/elasticsearch Client (8.x or 9.x, never closed by the
   * scheduler), a URL or connection options (created and closed by the scheduler; `ESJOBS_ES_*`
   * variables fill in what is missing), or a ready backend context from @esjobs/core.
   * @defaultValue from `ESJOBS_ES_URL`
   */
  readonly es?: Client | BackendContext | EsOption;
  /** Index prefix (ignored when `es` is a backend context). @defaultValue `'esjobs'` */
  readonly prefix?: string;
  /** Event bus; share it with same-process workers so a local enqueue wakes them at once. @defaultValue a new bus */
  readonly events?: EventBus;
  /** Time source (ignored when `es` is a backend context, which has its own). @defaultValue systemClock */
  readonly clock?: Clock;
  /** Create missing indices on first use (idempotent). @defaultValue `true` */
  readonly bootstrap?: boolean;
  /**
   * A due fire older than this when a scheduler gets to it counts as missed (downtime), and the
   * schedule's misfire policy applies; younger ones are simply late and all enqueued.
   * @defaultValue `10000` (10 s)
   */
  readonly misfireGraceMs?: number;
  /**
   * Longest sleep of the fire loop: it wakes at the next due fire, or after this long to see
   * schedules other processes created or changed.
   * @defaultValue `1000`
   */
  readonly maxSleepMs?: number;
  /** Wait before the loop retries after a failed pass (cluster unreachable…). @defaultValue `1000` */
  readonly retryDelayMs?: number;
  /**
   * Bulk requests that single `enqueue` calls may have out at once. Enqueues made in the same
   * event-loop turn share one bulk; those made while this many are out share the next one.
   * `1` batches most; higher values overlap requests. `enqueueMany` is not limited by it.
   * @defaultValue `2`
   */
  readonly enqueueConcurrency?: number;
  /**
   * Most single enqueues one shared bulk carries.
   * @defaultValue `1000`
   */
  readonly enqueueBatchMax?: number;
}

export interface ResolvedSchedulerOptions {
  readonly es: Client | BackendContext | EsOption | undefined;
  readonly prefix: string;
  readonly events: EventBus | undefined;
  readonly clock: Clock;
  readonly bootstrap: boolean;
  readonly misfireGraceMs: number;
  readonly maxSleepMs: number;
  readonly retryDelayMs: number;
  readonly enqueueConcurrency: number;
  readonly enqueueBatchMax: number;
}

const KNOWN = ['es', 'prefix', 'events', 'clock', 'bootstrap', 'misfireGraceMs', 'maxSleepMs', 'retryDelayMs', 'enqueueConcurrency', 'enqueueBatchMax'] as const;

export function isBackendContext(es: unknown): es is BackendContext {
  return typeof es === 'object' && es !== null && 'names' in es && 'request' in es && typeof (es as BackendContext).request === 'function';
}

/** Fill in defaults without checking (use `validate` on untrusted input). */
export function withDefaults(options: SchedulerOptions = {}): ResolvedSchedulerOptions {
  return {
    es: options.es,
    prefix: options.prefix ?? prefixDefault,
    events: options.events,
    clock: options.clock ?? systemClock,
    bootstrap: options.bootstrap ?? true,
    misfireGraceMs: options.misfireGraceMs ?? misfireGraceMsDefault,
    maxSleepMs: options.maxSleepMs ?? maxSleepMsDefault,
    retryDelayMs: options.retryDelayMs ?? retryDelayMsDefault,
    enqueueConcurrency: options.enqueueConcurrency ?? enqueueConcurrencyDefault,
    enqueueBatchMax: options.enqueueBatchMax ?? enqueueBatchMaxDefault,
  };
}

function msIn(field: string, value: unknown, min: number, max: number): void {
  if (value !== undefined && (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max)) {
    throw new ValidationError(field, value, `must be an integer number of milliseconds from ${min} to ${max}`);
  }
}

function countIn(field: string, value: unknown, min: number, max: number): void {
  if (value !== undefined && (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max)) {
    throw new ValidationError(field, value, `must be an integer from ${min} to ${max}`);
  }
}

export function validate(options: unknown = {}): ResolvedSchedulerOptions {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) throw new ValidationError('options', options, 'must be an object');
  const o = options as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (!(KNOWN as readonly string[]).includes(key)) throw new ValidationError(key, typeof o[key], `unknown Scheduler option (known: ${KNOWN.join(', ')})`);
  }
  const es = o['es'];
  if (es !== undefined && typeof es !== 'string' && !isClientLike(es) && !isBackendContext(es) && (typeof es !== 'object' || es === null || Array.isArray(es))) {
    throw new ValidationError('es', typeof es, 'must be a URL, connection options, an @elastic/elasticsearch Client or a backend context');
  }
  if (o['prefix'] !== undefined) validatePrefix(o['prefix']);
  const events = o['events'];
  if (events !== undefined && (typeof events !== 'object' || events === null || typeof (events as EventBus).emit !== 'function')) {
    throw new ValidationError('events', events, 'must be an EventBus from @esjobs/core');
  }
  const clock = o['clock'];
  if (clock !== undefined && (typeof clock !== 'object' || clock === null || typeof (clock as Clock).now !== 'function' || typeof (clock as Clock).sleep !== 'function')) {
    throw new ValidationError('clock', clock, 'must have now() and sleep(ms, signal)');
  }
  if (o['bootstrap'] !== undefined && typeof o['bootstrap'] !== 'boolean') throw new ValidationError('bootstrap', o['bootstrap'], 'must be true or false');
  msIn('misfireGraceMs', o['misfireGraceMs'], 0, 7 * 86_400_000);
  msIn('maxSleepMs', o['maxSleepMs'], 1, 3_600_000);
  msIn('retryDelayMs', o['retryDelayMs'], 1, 3_600_000);
  countIn('enqueueConcurrency', o['enqueueConcurrency'], 1, 64);
  countIn('enqueueBatchMax', o['enqueueBatchMax'], 1, 10_000);
  return withDefaults(o as SchedulerOptions);
}
