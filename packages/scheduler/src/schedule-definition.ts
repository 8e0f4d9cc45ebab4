/**
 * What `schedule()` takes (and a `--schedules` file lists), its validation, and its stored form.
 * Validation runs before any request, so a bad definition never reaches the index.
 */
import {
  ValidationError,
  jobOptionsWithDefaults,
  validateJobId,
  validateJobName,
  validatePayload,
  queueDefault,
  priorityDefault,
  type BackoffOption,
  type Duration,
  type JobType,
  type ScheduleDocument,
} from '@esjobs/core';
import { compileCron, timeZoneDefault, type CompiledCron } from './cron.js';

export const MisfirePolicy = {
  /** One catch-up run for the most recent missed fire. */
  once: 'once',
  /** Every missed fire, the most recent `maxMissedFires` of them. */
  all: 'all',
  /** No catch-up: the schedule resumes with its next future fire. */
  skip: 'skip',
} as const;
export type MisfirePolicy = (typeof MisfirePolicy)[keyof typeof MisfirePolicy];

export const misfireDefault: MisfirePolicy = 'once';
export const maxMissedFiresDefault = 100;
const MAX_MISSED_FIRES_LIMIT = 10_000;

export interface ScheduleDefinition<Payload = unknown> {
  /** Unique name; also the schedule's document id and the prefix of its fired jobs' ids. */
  readonly name: string;
  /** 5 fields, or 6 with seconds first, or `@hourly`-style aliases. */
  readonly cron: string;
  /** IANA time zone the cron fields are read in. @defaultValue `'UTC'` */
  readonly tz?: string;
  /** Job to enqueue: its name, or a job definition (`defineJob`) whose payload type is then checked. */
  readonly job: string | JobType<string, Payload>;
  /** Payload of every fired job (see FIRE_FIELDS for what the scheduler adds). @defaultValue `{}` */
  readonly payload?: Payload;
  /** @defaultValue the job definition's queue, else `'default'` */
  readonly queue?: string;
  /** @defaultValue `0` */
  readonly priority?: number;
  /** What to do with fires missed while no scheduler ran. @defaultValue `'once'` */
  readonly misfire?: MisfirePolicy;
  /** With `misfire: 'all'`, the most missed fires enqueued after one downtime. @defaultValue `100` */
  readonly maxMissedFires?: number;
  /** Attempts of each fired job. @defaultValue the job definition's, else `3` */
  readonly attempts?: number;
  /** Retry delay policy of each fired job. @defaultValue the job definition's, else the core default */
  readonly backoff?: BackoffOption | null;
  /** Per-attempt time limit of each fired job. @defaultValue the job definition's, else none */
  readonly timeout?: Duration | null;
}

/** A validated definition: everything the stored document holds except times and state. */
export interface ResolvedSchedule {
  readonly name: string;
  readonly compiled: CompiledCron;
  readonly jobName: string;
  readonly payload: unknown;
  readonly queue: string;
  readonly priority: number;
  readonly misfirePolicy: MisfirePolicy;
  readonly maxMissedFires: number;
  readonly jobOptions: Readonly<Record<string, unknown>>;
}

const KNOWN = new Set(['name', 'cron', 'tz', 'job', 'payload', 'queue', 'priority', 'misfire', 'maxMissedFires', 'attempts', 'backoff', 'timeout']);
/** Fired job ids are `<name>:<ISO time>` (24 bytes + 1), within Elasticsearch's 512-byte id limit. */
const NAME_MAX_BYTES = 256;

export function validateScheduleName(name: unknown, field = 'name'): string {
  validateJobName(name, field);
  const n = name as string;
  if (Buffer.byteLength(n, 'utf8') > NAME_MAX_BYTES) throw new ValidationError(field, name, `must be at most ${NAME_MAX_BYTES} bytes`);
  validateJobId(n, field);
  return n;
}

function jobTypeOf(job: unknown, field: string): { name: string; type: JobType | undefined } {
  if (typeof job === 'string') return { name: validateJobName(job, field), type: undefined };
  if (typeof job === 'object' && job !== null && typeof (job as JobType).name === 'string') {
    return { name: validateJobName((job as JobType).name, `${field}.name`), type: job as JobType };
  }
  throw new ValidationError(field, job, 'must be a job name or a job definition');
}

/** Validate a definition; throws ValidationError naming `<field>.<key>` and the value. */
export function validateSchedule(def: unknown, maxPayloadBytes: number, field = 'schedule'): ResolvedSchedule {
  if (typeof def !== 'object' || def === null || Array.isArray(def)) throw new ValidationError(field, def, 'must be { name, cron, job, ... }');
  const d = def as Record<string, unknown>;
  const f = (k: string): string => `${field}.${k}`;
  for (const key of Object.keys(d)) {
    if (!KNOWN.has(key)) throw new ValidationError(f(key), d[key], `unknown schedule field (known: ${[...KNOWN].join(', ')})`);
  }
  const name = validateScheduleName(d['name'], f('name'));
  const compiled = compileCron(d['cron'], d['tz'] ?? timeZoneDefault, f('cron'), f('tz'));
  const { name: jobName, type } = jobTypeOf(d['job'], f('job'));
  const payload = d['payload'] ?? {};
  validatePayload(payload, { maxBytes: maxPayloadBytes, field: f('payload') });
  const misfire = d['misfire'] ?? misfireDefault;
  if (typeof misfire !== 'string' || !Object.hasOwn(MisfirePolicy, misfire)) {
    throw new ValidationError(f('misfire'), misfire, `must be one of ${Object.keys(MisfirePolicy).join(', ')}`);
  }
  const maxMissed = d['maxMissedFires'] ?? maxMissedFiresDefault;
  if (typeof maxMissed !== 'number' || !Number.isInteger(maxMissed) || maxMissed < 1 || maxMissed > MAX_MISSED_FIRES_LIMIT) {
    throw new ValidationError(f('maxMissedFires'), maxMissed, `must be an integer from 1 to ${MAX_MISSED_FIRES_LIMIT}`);
  }
  const jobOptions: Record<string, unknown> = {};
  const attempts = d['attempts'] ?? type?.attempts;
  const backoff = d['backoff'] !== undefined ? d['backoff'] : type?.backoff;
  const timeout = d['timeout'] !== undefined ? d['timeout'] : type?.timeout;
  if (attempts !== undefined) jobOptions['attempts'] = attempts;
  if (backoff !== undefined) jobOptions['backoff'] = backoff;
  if (timeout !== undefined) jobOptions['timeout'] = timeout;
  if (typeof jobOptions['backoff'] === 'function') throw new ValidationError(f('backoff'), 'function', 'a custom backoff function cannot be stored with a schedule; use a duration or a policy object');
  const queue = d['queue'] ?? type?.queue ?? queueDefault;
  // Same checks as an enqueue, so a schedule that validates always fires.
  const resolved = jobOptionsWithDefaults({ ...(jobOptions as object), queue: queue as string, priority: (d['priority'] ?? priorityDefault) as number }, 0, field);
  return {
    name,
    compiled,
    jobName,
    payload,
    queue: resolved.queue,
    priority: resolved.priority,
    misfirePolicy: misfire as MisfirePolicy,
    maxMissedFires: maxMissed,
    jobOptions,
  };
}

/** The stored document for a definition; times come from the caller. */
export function scheduleDocument(s: ResolvedSchedule, times: { nextFireAt: number | undefined; createdAt: string; updatedAt: string; paused: boolean; lastFireAt?: string; managedBy?: string | undefined }): ScheduleDocument {
  return {
    name: s.name,
    cron: s.compiled.cron,
    tz: s.compiled.tz,
    jobName: s.jobName,
    payload: s.payload,
    jobOptions: s.jobOptions,
    queue: s.queue,
    priority: s.priority,
    misfirePolicy: s.misfirePolicy,
    maxMissedFires: s.maxMissedFires,
    paused: times.paused,
    ...(times.managedBy === undefined ? {} : { managedBy: times.managedBy }),
    ...(times.nextFireAt === undefined ? {} : { nextFireAt: new Date(times.nextFireAt).toISOString() }),
    ...(times.lastFireAt === undefined ? {} : { lastFireAt: times.lastFireAt }),
    createdAt: times.createdAt,
    updatedAt: times.updatedAt,
  };
}

/** Same definition as stored (ignoring times and pause state): an upsert of it writes nothing. */
export function sameDefinition(a: ScheduleDocument, b: ScheduleDocument): boolean {
  const pick = (d: ScheduleDocument): unknown[] => [d.cron, d.tz, d.jobName, d.payload, d.jobOptions ?? {}, d.queue, d.priority, d.misfirePolicy, d.maxMissedFires ?? maxMissedFiresDefault, d.managedBy ?? null];
  return JSON.stringify(pick(a)) === JSON.stringify(pick(b));
}
