/**
 * Options of the Elasticsearch event transport and of events retention: defaults,
 * `withTransportDefaults()` (validates too) and `eventsRetentionMs()`.
 */
import { parseDuration, type Duration } from '../duration.js';
import { ValidationError } from '../errors.js';
import { isEventName, type EventName } from './event-map.js';

/** Buffered events are written at least this often. */
export const flushEveryMsDefault = 25;
/** Events per bulk request. */
export const maxBatchDefault = 500;
/** Events held while Elasticsearch is unavailable; beyond it the oldest are dropped (counted). */
export const maxBufferDefault = 20_000;
/** How often the tail searches for new events. */
export const pollEveryMsDefault = 200;
/** Hits per tail search. */
export const pageSizeDefault = 1_000;
/** How long the tail holds an origin's later events back while an earlier one is missing. */
export const gapTimeoutMsDefault = 10_000;
/** The tail starts with events this much older than its start (allows for clock skew). */
export const lookbackMsDefault = 1_000;
/** Events older than this are deleted by the maintenance loop. */
export const eventsRetentionMsDefault = 86_400_000;

export interface TransportOptions {
  /**
   * Write this process's events to `<prefix>-events`.
   * @defaultValue true
   */
  readonly publish?: boolean;
  /**
   * Tail `<prefix>-events` and deliver other processes' events into the bus.
   * @defaultValue true
   */
  readonly subscribe?: boolean;
  /**
   * Events to publish; others stay local.
   * @defaultValue every event
   */
  readonly events?: readonly EventName[];
  /**
   * Id of this process in stored events. Must be unique per process lifetime: sequences restart
   * at 1, so a reused origin's new events would collide with its old ones (and be taken as
   * already written and already delivered).
   * @defaultValue `<host>:<pid>:<random>`
   */
  readonly origin?: string;
  /**
   * Write interval.
   * @defaultValue 25 ms
   */
  readonly flushEvery?: Duration;
  /**
   * Events per bulk request.
   * @defaultValue 500
   */
  readonly maxBatch?: number;
  /**
   * Events buffered at most.
   * @defaultValue 20000
   */
  readonly maxBuffer?: number;
  /**
   * Tail poll interval.
   * @defaultValue 200 ms
   */
  readonly pollEvery?: Duration;
  /**
   * Hits per tail search.
   * @defaultValue 1000
   */
  readonly pageSize?: number;
  /**
   * Longest wait for a missing earlier event of an origin before delivering its later ones.
   * @defaultValue 10 s
   */
  readonly gapTimeout?: Duration;
  /**
   * Deliver events from this time on (epoch ms); overrides `lookback`.
   * @defaultValue start time minus `lookback`
   */
  readonly since?: number;
  /**
   * How far before its start the tail begins.
   * @defaultValue 1 s
   */
  readonly lookback?: Duration;
}

export interface ResolvedTransportOptions {
  readonly publish: boolean;
  readonly subscribe: boolean;
  readonly events: ReadonlySet<EventName> | undefined;
  readonly origin: string | undefined;
  readonly flushEveryMs: number;
  readonly maxBatch: number;
  readonly maxBuffer: number;
  readonly pollEveryMs: number;
  readonly pageSize: number;
  readonly gapTimeoutMs: number;
  readonly since: number | undefined;
  readonly lookbackMs: number;
}

function positiveInt(field: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) throw new ValidationError(field, value, 'must be a positive integer');
  return value;
}

function bool(field: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new ValidationError(field, value, 'must be true or false');
  return value;
}

export function withTransportDefaults(options: TransportOptions = {}): ResolvedTransportOptions {
  let events: Set<EventName> | undefined;
  if (options.events !== undefined) {
    if (!Array.isArray(options.events)) throw new ValidationError('events', options.events, 'must be an array of event names');
    events = new Set();
    options.events.forEach((e: unknown, i) => {
      if (!isEventName(e)) throw new ValidationError(`events[${i}]`, e, 'is not an event name (see eventNames)');
      events?.add(e);
    });
  }
  if (options.origin !== undefined && (typeof options.origin !== 'string' || options.origin === '' || options.origin.length > 200)) {
    throw new ValidationError('origin', options.origin, 'must be a non-empty string of at most 200 characters');
  }
  if (options.since !== undefined && (typeof options.since !== 'number' || !Number.isFinite(options.since))) {
    throw new ValidationError('since', options.since, 'must be epoch milliseconds');
  }
  const maxBatch = positiveInt('maxBatch', options.maxBatch, maxBatchDefault);
  const maxBuffer = positiveInt('maxBuffer', options.maxBuffer, maxBufferDefault);
  if (maxBuffer < maxBatch) throw new ValidationError('maxBuffer', maxBuffer, `must be at least maxBatch (${maxBatch})`);
  return {
    publish: bool('publish', options.publish, true),
    subscribe: bool('subscribe', options.subscribe, true),
    events,
    origin: options.origin,
    flushEveryMs: options.flushEvery === undefined ? flushEveryMsDefault : parseDuration('flushEvery', options.flushEvery),
    maxBatch,
    maxBuffer,
    pollEveryMs: options.pollEvery === undefined ? pollEveryMsDefault : parseDuration('pollEvery', options.pollEvery),
    pageSize: positiveInt('pageSize', options.pageSize, pageSizeDefault),
    gapTimeoutMs: options.gapTimeout === undefined ? gapTimeoutMsDefault : parseDuration('gapTimeout', options.gapTimeout, { allowZero: true }),
    since: options.since,
    lookbackMs: options.lookback === undefined ? lookbackMsDefault : parseDuration('lookback', options.lookback, { allowZero: true }),
  };
}

/** Retention age for `purgeEvents`, validated. */
export function eventsRetentionMs(value: Duration | undefined): number {
  return value === undefined ? eventsRetentionMsDefault : parseDuration('retention', value);
}
