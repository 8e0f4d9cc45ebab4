/**
 * Worker options: defaults (`…Default`), `withDefaults()` and `validate()`. Durations are `…Ms`
 * numbers or `ms` strings (`lease: '30s'`); giving both forms of one option is an error.
 */
type Client = BackendContext['client'];
import { type Clock, type Duration, type EventBus, ValidationError, parseDuration, prefixDefault, systemClock, validatePrefix, validateQueueName } from '@esjobs/core';
import type { BackendContext, EsOption } from '@esjobs/core';
import { type AnyJobDefinition, isJobDefinition } from './define-job.js';
import { type Logger, silentLogger } from './logger.js';

export const queuesDefault: readonly string[] = ['default'];
export const concurrencyDefault = 10;
export const leaseMsDefault = 30_000;
export const shutdownTimeoutMsDefault = 30_000;
export const pollMinMsDefault = 50;
// Idle back-off cap. With Elasticsearch's 1 s refresh, an idle worker sees a job enqueued
// elsewhere within about 2 s, and learns of a delayed job (to sleep until it is due) while the
// delay is still running whenever that delay is over 2 s.
export const pollMaxMsDefault = 1_000;
export const registryIntervalMsDefault = 10_000;

export interface WorkerOptions {
  /**
   * Where the jobs are: an @elastic/elasticsearch Client (8.x or 9.x, never closed by the
   * worker), a URL or connection options (the worker creates the client and closes it on stop;
   * `ESJOBS_ES_*` variables fill in what is missing), or a ready backend context from @esjobs/core.
   */
  readonly es: Client | BackendContext | EsOption;
  /** Index prefix (ignored when `es` is a backend context, which has its own). @defaultValue `'esjobs'` */
  readonly prefix?: string;
  /** Job definitions (from `defineJob`) this worker runs; only these names are claimed. */
  readonly jobs: readonly AnyJobDefinition[];
  /** Queues to claim from. @defaultValue `['default']` */
  readonly queues?: readonly string[];
  /** Most jobs running at once in this worker. @defaultValue `10` */
  readonly concurrency?: number;
  /** Lease length in ms; heartbeats extend it every third of it. @defaultValue `30000` */
  readonly leaseMs?: number;
  /** Lease length as a duration (`'30s'`); alternative to `leaseMs`. @defaultValue `'30s'` */
  readonly lease?: Duration;
  /** Default for `stop()` without a timeout and for signal-driven shutdown, in ms. @defaultValue `30000` */
  readonly shutdownTimeoutMs?: number;
  /** Shutdown timeout as a duration; alternative to `shutdownTimeoutMs`. @defaultValue `'30s'` */
  readonly shutdownTimeout?: Duration;
  /** Shortest wait between two polls (while busy). @defaultValue `50` ms */
  readonly pollMinMs?: number;
  /** Longest wait between two polls (idle back-off cap). @defaultValue `1000` ms */
  readonly pollMaxMs?: number;
  /** How often stalled jobs are looked for (one process per interval, under a lock). @defaultValue half the lease, 1–15 s; `0` disables */
  readonly reapIntervalMs?: number;
  /** How often this worker's registry document is refreshed. @defaultValue `10000` ms */
  readonly registryIntervalMs?: number;
  /**
   * Cluster-wide limits of concurrently running jobs per queue (`{ emails: 5 }`), enforced with
   * slot documents so that all workers together never exceed them. Every worker of a queue must
   * be given the same limit. @defaultValue `{}` (no limit)
   */
  readonly queueLimits?: Readonly<Record<string, number>>;
  /** Event bus; pass the Scheduler's to share events within a process. @defaultValue a new bus */
  readonly events?: EventBus;
  /**
   * Where the worker logs, and the base of each handler's `ctx.log`: `debug/info/warn/error(message,
   * fields)`, e.g. pino. With pino's optional `isLevelEnabled(level)` the worker skips building
   * per-job debug lines when debug is off. @defaultValue a silent logger
   */
  readonly logger?: Logger;
  /** @defaultValue systemClock */
  readonly clock?: Clock;
  /** Worker id in leases and the registry. @defaultValue `<host>:<pid>:<random>` */
  readonly workerId?: string;
  /** Create missing indices on start (idempotent, safe when many processes start at once). @defaultValue `true` */
  readonly bootstrap?: boolean;
}

export interface ResolvedWorkerOptions {
  readonly es: Client | BackendContext | EsOption;
  readonly prefix: string;
  readonly jobs: ReadonlyMap<string, AnyJobDefinition>;
  readonly queues: readonly string[];
  readonly concurrency: number;
  readonly leaseMs: number;
  readonly shutdownTimeoutMs: number;
  readonly pollMinMs: number;
  readonly pollMaxMs: number;
  readonly reapIntervalMs: number;
  readonly registryIntervalMs: number;
  readonly queueLimits: ReadonlyMap<string, number>;
  readonly events: EventBus | undefined;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly workerId: string | undefined;
  readonly bootstrap: boolean;
}

const KNOWN = new Set([
  'es', 'prefix', 'jobs', 'queues', 'concurrency', 'leaseMs', 'lease', 'shutdownTimeoutMs', 'shutdownTimeout', 'pollMinMs', 'pollMaxMs',
  'reapIntervalMs', 'registryIntervalMs', 'queueLimits', 'events', 'logger', 'clock', 'workerId', 'bootstrap',
]);

function positiveInt(field: string, value: unknown, max = 1_000_000): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) {
    throw new ValidationError(field, value, `must be an integer from 1 to ${max}`);
  }
  return value;
}

function durationPair(msField: string, ms: unknown, durField: string, dur: unknown, fallback: number, allowZero = false): number {
  if (ms !== undefined && dur !== undefined) throw new ValidationError(durField, dur, `give either ${msField} or ${durField}, not both`);
  if (ms !== undefined) {
    if (typeof ms !== 'number') throw new ValidationError(msField, ms, 'must be a number of milliseconds');
    return parseDuration(msField, ms, { allowZero });
  }
  if (dur !== undefined) return parseDuration(durField, dur, { allowZero });
  return fallback;
}

/** Default reap interval for a lease: half of it, kept within 1–15 s. */
export function reapIntervalMsFor(leaseMs: number): number {
  return Math.min(15_000, Math.max(1_000, Math.round(leaseMs / 2)));
}

export function withDefaults(o: WorkerOptions): ResolvedWorkerOptions {
  if ((typeof o.es !== 'object' && typeof o.es !== 'string') || o.es === null) {
    throw new ValidationError('es', o.es, 'must be an @elastic/elasticsearch Client, a URL, connection options { node, apiKey, ... }, or a backend context');
  }
  const prefix = validatePrefix(o.prefix ?? prefixDefault);
  if (!Array.isArray(o.jobs) || o.jobs.length === 0) throw new ValidationError('jobs', o.jobs, 'must be a non-empty array of job definitions (defineJob)');
  const jobs = new Map<string, AnyJobDefinition>();
  o.jobs.forEach((def: unknown, i: number) => {
    if (!isJobDefinition(def)) throw new ValidationError(`jobs[${i}]`, def, 'is not a job definition (create it with defineJob)');
    if (jobs.has(def.name)) throw new ValidationError(`jobs[${i}].name`, def.name, 'is defined twice');
    jobs.set(def.name, def);
  });
  const queuesIn = o.queues ?? queuesDefault;
  if (!Array.isArray(queuesIn) || queuesIn.length === 0) throw new ValidationError('queues', queuesIn, 'must be a non-empty array of queue names');
  const queues = [...new Set(queuesIn.map((q: unknown, i: number) => validateQueueName(q, `queues[${i}]`)))];
  const concurrency = o.concurrency === undefined ? concurrencyDefault : positiveInt('concurrency', o.concurrency, 10_000);
  const leaseMs = durationPair('leaseMs', o.leaseMs, 'lease', o.lease, leaseMsDefault);
  if (leaseMs < 300) throw new ValidationError(o.leaseMs === undefined ? 'lease' : 'leaseMs', o.leaseMs ?? o.lease, 'must be at least 300 ms (heartbeats run every third of it)');
  const shutdownTimeoutMs = durationPair('shutdownTimeoutMs', o.shutdownTimeoutMs, 'shutdownTimeout', o.shutdownTimeout, shutdownTimeoutMsDefault, true);
  const pollMinMs = o.pollMinMs === undefined ? pollMinMsDefault : parseDuration('pollMinMs', o.pollMinMs, { allowZero: true });
  const pollMaxMs = o.pollMaxMs === undefined ? Math.max(pollMaxMsDefault, pollMinMs) : parseDuration('pollMaxMs', o.pollMaxMs);
  if (pollMaxMs < pollMinMs) throw new ValidationError('pollMaxMs', o.pollMaxMs, `must not be less than pollMinMs (${pollMinMs})`);
  const reapIntervalMs = o.reapIntervalMs === undefined ? reapIntervalMsFor(leaseMs) : parseDuration('reapIntervalMs', o.reapIntervalMs, { allowZero: true });
  const registryIntervalMs = o.registryIntervalMs === undefined ? registryIntervalMsDefault : parseDuration('registryIntervalMs', o.registryIntervalMs);
  const queueLimits = new Map<string, number>();
  if (o.queueLimits !== undefined) {
    if (typeof o.queueLimits !== 'object' || o.queueLimits === null) throw new ValidationError('queueLimits', o.queueLimits, 'must be an object { queue: limit }');
    for (const [q, n] of Object.entries(o.queueLimits)) {
      validateQueueName(q, `queueLimits.${q}`);
      queueLimits.set(q, positiveInt(`queueLimits.${q}`, n, 10_000));
    }
  }
  if (o.workerId !== undefined && (typeof o.workerId !== 'string' || o.workerId === '' || o.workerId.length > 200)) {
    throw new ValidationError('workerId', o.workerId, 'must be a non-empty string of at most 200 characters');
  }
  if (o.bootstrap !== undefined && typeof o.bootstrap !== 'boolean') throw new ValidationError('bootstrap', o.bootstrap, 'must be a boolean');
  return {
    es: o.es,
    prefix,
    jobs,
    queues,
    concurrency,
    leaseMs,
    shutdownTimeoutMs,
    pollMinMs,
    pollMaxMs,
    reapIntervalMs,
    registryIntervalMs,
    queueLimits,
    events: o.events,
    logger: o.logger ?? silentLogger,
    clock: o.clock ?? systemClock,
    workerId: o.workerId,
    bootstrap: o.bootstrap ?? true,
  };
}

/** Check raw options (unknown keys included); throws ValidationError naming the field. */
export function validate(options: unknown): ResolvedWorkerOptions {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) throw new ValidationError('options', options, 'must be an object');
  for (const [k, v] of Object.entries(options)) {
    if (!KNOWN.has(k)) throw new ValidationError(`options.${k}`, v, `unknown worker option (known: ${[...KNOWN].join(', ')})`);
  }
  return withDefaults(options as WorkerOptions);
}
