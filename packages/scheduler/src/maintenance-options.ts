/**
 * Maintenance options (`esjobs scheduler start`): defaults (`…Default`), `withDefaults()` and
 * `validate()`. Ages are durations (`'24h'`, `'7d'` or ms); `null` turns a rule off.
 */
import { type Duration, ValidationError, eventsRetentionMsDefault, parseDuration } from '@esjobs/core';

export const completedMaxAgeDefault = '24h';
export const failedMaxAgeDefault = '7d';
export const jobsRetentionIntervalMsDefault = 60_000;
export const eventsRetentionIntervalMsDefault = 60_000;
export const repairIntervalMsDefault = 60_000;
export const reapIntervalMsDefault = 15_000;

export interface MaintenanceOptions {
  /** Completed jobs older than this (by finishedAt) are deleted; `null` keeps them. @defaultValue `'24h'` */
  readonly completedMaxAge?: Duration | null;
  /** Failed jobs older than this are deleted; `null` keeps them. @defaultValue `'7d'` */
  readonly failedMaxAge?: Duration | null;
  /** Keep at most this many completed jobs per queue (newest first); `null`: no limit. @defaultValue `null` */
  readonly completedMaxCount?: number | null;
  /** Keep at most this many failed jobs per queue; `null`: no limit. @defaultValue `null` */
  readonly failedMaxCount?: number | null;
  /** Events older than this are deleted from `<prefix>-events`. @defaultValue `'1d'` */
  readonly eventsMaxAge?: Duration;
  /** How often finished jobs are trimmed (one process per interval). @defaultValue `60000` */
  readonly jobsRetentionIntervalMs?: number;
  /** How often events are trimmed. @defaultValue `60000` */
  readonly eventsRetentionIntervalMs?: number;
  /** How often half-finished dead-letter moves and redrives are repaired. @defaultValue `60000` */
  readonly repairIntervalMs?: number;
  /** How often expired leases are reaped (shares the workers' reaper lock). @defaultValue `15000` */
  readonly reapIntervalMs?: number;
}

export interface ResolvedMaintenanceOptions {
  readonly completedMaxAgeMs: number | null;
  readonly failedMaxAgeMs: number | null;
  readonly completedMaxCount: number | null;
  readonly failedMaxCount: number | null;
  readonly eventsMaxAgeMs: number;
  readonly jobsRetentionIntervalMs: number;
  readonly eventsRetentionIntervalMs: number;
  readonly repairIntervalMs: number;
  readonly reapIntervalMs: number;
}

const KNOWN = [
  'completedMaxAge',
  'failedMaxAge',
  'completedMaxCount',
  'failedMaxCount',
  'eventsMaxAge',
  'jobsRetentionIntervalMs',
  'eventsRetentionIntervalMs',
  'repairIntervalMs',
  'reapIntervalMs',
] as const;

function age(field: string, value: Duration | null | undefined, fallback: Duration): number | null {
  if (value === null) return null;
  return parseDuration(field, value ?? fallback);
}

function count(field: string, value: unknown): number | null {
  if (value === undefined || value === null) return null;
  // A `from` offset in the retention search: Elasticsearch's result window caps it.
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 9_999) throw new ValidationError(field, value, 'must be an integer from 0 to 9999, or null');
  return value;
}

function interval(field: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 10 || value > 86_400_000) {
    throw new ValidationError(field, value, 'must be an integer number of milliseconds from 10 to 86400000');
  }
  return value;
}

export function withDefaults(options: MaintenanceOptions = {}): ResolvedMaintenanceOptions {
  return {
    completedMaxAgeMs: age('completedMaxAge', options.completedMaxAge, completedMaxAgeDefault),
    failedMaxAgeMs: age('failedMaxAge', options.failedMaxAge, failedMaxAgeDefault),
    completedMaxCount: count('completedMaxCount', options.completedMaxCount),
    failedMaxCount: count('failedMaxCount', options.failedMaxCount),
    eventsMaxAgeMs: options.eventsMaxAge === undefined ? eventsRetentionMsDefault : parseDuration('eventsMaxAge', options.eventsMaxAge),
    jobsRetentionIntervalMs: interval('jobsRetentionIntervalMs', options.jobsRetentionIntervalMs, jobsRetentionIntervalMsDefault),
    eventsRetentionIntervalMs: interval('eventsRetentionIntervalMs', options.eventsRetentionIntervalMs, eventsRetentionIntervalMsDefault),
    repairIntervalMs: interval('repairIntervalMs', options.repairIntervalMs, repairIntervalMsDefault),
    reapIntervalMs: interval('reapIntervalMs', options.reapIntervalMs, reapIntervalMsDefault),
  };
}

export function validate(options: unknown = {}): ResolvedMaintenanceOptions {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) throw new ValidationError('maintenance', options, 'must be an object');
  for (const key of Object.keys(options)) {
    if (!(KNOWN as readonly string[]).includes(key)) throw new ValidationError(`maintenance.${key}`, (options as Record<string, unknown>)[key], `unknown option (known: ${KNOWN.join(', ')})`);
  }
  return withDefaults(options as MaintenanceOptions);
}
