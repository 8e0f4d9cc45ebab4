/**
 * The one typed event map of esjobs. Every component (job store, worker, scheduler, locks,
 * backend) emits into an `EventBus` typed by `EsJobsEvents`; the Elasticsearch transport
 * (events/es-transport.ts) carries them to other processes.
 *
 * Rules for payloads: plain JSON (numbers, strings, booleans, arrays, objects), because the
 * transport stores them; every time is epoch milliseconds from the injected Clock; every payload
 * has `at` (when it happened). Payloads that arrived from another process carry `origin` (the
 * emitting process's id); locally emitted ones leave it unset.
 */

/** A JSON value, for the parts of payloads that are user data (progress, result). */
export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/** An error as it travels in events: never an Error object, so it survives JSON. */
export interface ErrorInfo {
  readonly message: string;
  /** Error class name, e.g. `LeaseLostError`. */
  readonly name?: string;
  /** Stable esjobs error code when there is one (errors.ts `ErrorCode`). */
  readonly code?: string;
  readonly stack?: string;
}

export interface BaseEvent {
  /** When it happened (epoch ms, from the emitter's Clock). */
  readonly at: number;
  /** Id of the process that emitted it, set only on events delivered by the transport. */
  readonly origin?: string;
}

export interface JobRef extends BaseEvent {
  readonly jobId: string;
  /** Job (handler) name. */
  readonly name: string;
  readonly queue: string;
}

/** Events about one attempt of a job: `attempt` counts from 1. */
export interface JobAttemptRef extends JobRef {
  readonly attempt: number;
  readonly workerId: string;
}

export interface JobEnqueuedEvent extends JobRef {
  readonly priority: number;
  /** Earliest time the job may run (later than `at` for delayed jobs). */
  readonly runAt: number;
  /** true when a job with this jobId already existed and nothing was written (idempotent enqueue). */
  readonly duplicate: boolean;
}

export interface JobActiveEvent extends JobAttemptRef {
  readonly leaseExpiresAt: number;
  /** Time spent queued since runAt, in ms. */
  readonly waitedMs: number;
}

export interface JobProgressEvent extends JobAttemptRef {
  readonly progress: JsonValue;
}

export interface JobCompletedEvent extends JobAttemptRef {
  readonly durationMs: number;
  readonly result?: JsonValue;
}

/** An attempt failed. `willRetry` tells whether a `job:retrying` (true) or a final outcome follows. */
export interface JobFailedEvent extends JobAttemptRef {
  readonly error: ErrorInfo;
  readonly durationMs: number;
  readonly willRetry: boolean;
  /** true when the job will not run again (attempts exhausted, unrecoverable, timeout on last attempt). */
  readonly final: boolean;
}

export interface JobRetryingEvent extends JobRef {
  /** The attempt that failed. */
  readonly attempt: number;
  readonly nextAttempt: number;
  readonly nextRunAt: number;
  readonly delayMs: number;
  readonly error: ErrorInfo;
}

/** A lease expired without heartbeat and the reaper took the job back. */
export interface JobStalledEvent extends JobRef {
  readonly attempt: number;
  /** Worker that held the expired lease. */
  readonly previousWorkerId: string | null;
  readonly stallCount: number;
  readonly action: 'requeued' | 'dead-lettered';
  /** Reaper's worker/process id. */
  readonly reaperId: string;
}

export type DeadLetterReason = 'attempts-exhausted' | 'unrecoverable' | 'stalled' | 'timeout' | 'manual';

export interface JobDeadLetteredEvent extends JobRef {
  readonly attempt: number;
  readonly reason: DeadLetterReason;
  readonly deadIndex: string;
  readonly error?: ErrorInfo;
}

/** The worker found out it no longer owns the job (heartbeat/complete/fail got a conflict). */
export interface JobLeaseLostEvent extends JobAttemptRef {
  readonly reason: string;
}

export interface JobCancelledEvent extends JobRef {
  /** State the job was in when cancelled. */
  readonly previousState: 'queued' | 'active';
  readonly reason?: string;
}

/** Given back without counting an attempt (graceful shutdown). */
export interface JobReleasedEvent extends JobAttemptRef {
  readonly reason: string;
}

/** A dead-lettered job was put back in its queue. */
export interface JobRedrivenEvent extends JobRef {
  readonly fromIndex: string;
}

export interface WorkerOnlineEvent extends BaseEvent {
  readonly workerId: string;
  readonly host: string;
  readonly pid: number;
  readonly queues: readonly string[];
  readonly concurrency: number;
}

export interface WorkerOfflineEvent extends BaseEvent {
  readonly workerId: string;
  readonly host: string;
  readonly pid: number;
  /** `shutdown`: graceful; `expired`: seen dead by another process; `crashed`: fatal error. */
  readonly reason: 'shutdown' | 'expired' | 'crashed';
}

/** Result of one claim round of a worker (for throughput and contention dashboards). */
export interface WorkerClaimEvent extends BaseEvent {
  readonly workerId: string;
  readonly queues: readonly string[];
  /** Free slots asked for. */
  readonly requested: number;
  /** Candidates returned by the search. */
  readonly candidates: number;
  readonly claimed: number;
  /** Conditional writes that lost (409). */
  readonly conflicts: number;
  readonly latencyMs: number;
}

/** A component hit an error it handled (logged, retried or skipped) instead of throwing. */
export interface ComponentErrorEvent extends BaseEvent {
  /** e.g. `worker`, `scheduler`, `maintenance`, `event-transport`, `lock` */
  readonly component: string;
  readonly error: ErrorInfo;
  readonly workerId?: string;
  readonly jobId?: string;
}

export interface LockEventBase extends BaseEvent {
  readonly resource: string;
  readonly owner: string;
  readonly fence: number;
}

export interface LockAcquiredEvent extends LockEventBase {
  readonly expiresAt: number;
  /** true when an expired holder's lock was taken over. */
  readonly takeover: boolean;
  readonly waitedMs: number;
}

export interface LockRenewedEvent extends LockEventBase {
  readonly expiresAt: number;
}

export type LockReleasedEvent = LockEventBase;

export interface LockLostEvent extends LockEventBase {
  readonly reason: string;
}

export interface ScheduleFiredEvent extends BaseEvent {
  readonly scheduleId: string;
  /** Job name the schedule enqueues. */
  readonly name: string;
  readonly queue: string;
  /** The (cron) fire time this enqueue is for. */
  readonly fireAt: number;
  /** Deterministic id `<schedule>:<fire time>`. */
  readonly jobId: string;
  /** false when another scheduler had already enqueued this fire. */
  readonly created: boolean;
  /** true for a fire made up after downtime (misfire policy). */
  readonly misfire: boolean;
}

/** The cluster pushed back (429/503) and the backend is waiting before retrying. */
export interface BackpressureEvent extends BaseEvent {
  /** Backend operation name. */
  readonly op: string;
  readonly status: number;
  readonly delayMs: number;
  /** Retry number for this request, from 1. */
  readonly attempt: number;
}

/** Retention or reaping done by the maintenance loop. */
export interface MaintenanceEvent extends BaseEvent {
  /** e.g. `events-retention`, `reap-leases`, `jobs-retention` */
  readonly task: string;
  readonly affected: number;
  readonly durationMs: number;
}

/** The event map: event name → payload. */
export interface EsJobsEvents {
  'job:enqueued': JobEnqueuedEvent;
  'job:active': JobActiveEvent;
  'job:progress': JobProgressEvent;
  'job:completed': JobCompletedEvent;
  'job:failed': JobFailedEvent;
  'job:retrying': JobRetryingEvent;
  'job:stalled': JobStalledEvent;
  'job:dead-lettered': JobDeadLetteredEvent;
  'job:lease-lost': JobLeaseLostEvent;
  'job:cancelled': JobCancelledEvent;
  'job:released': JobReleasedEvent;
  'job:redriven': JobRedrivenEvent;
  'worker:online': WorkerOnlineEvent;
  'worker:offline': WorkerOfflineEvent;
  'worker:claim': WorkerClaimEvent;
  'lock:acquired': LockAcquiredEvent;
  'lock:renewed': LockRenewedEvent;
  'lock:released': LockReleasedEvent;
  'lock:lost': LockLostEvent;
  'schedule:fired': ScheduleFiredEvent;
  backpressure: BackpressureEvent;
  maintenance: MaintenanceEvent;
  error: ComponentErrorEvent;
}

export type EventName = keyof EsJobsEvents;
export type EventPayload<E extends EventName> = EsJobsEvents[E];

/** Every event name, at runtime (the transport subscribes to and validates against these). */
export const eventNames = [
  'job:enqueued',
  'job:active',
  'job:progress',
  'job:completed',
  'job:failed',
  'job:retrying',
  'job:stalled',
  'job:dead-lettered',
  'job:lease-lost',
  'job:cancelled',
  'job:released',
  'job:redriven',
  'worker:online',
  'worker:offline',
  'worker:claim',
  'lock:acquired',
  'lock:renewed',
  'lock:released',
  'lock:lost',
  'schedule:fired',
  'backpressure',
  'maintenance',
  'error',
] as const satisfies readonly EventName[];

// Compile-time check that `eventNames` lists every key of the map.
type MissingNames = Exclude<EventName, (typeof eventNames)[number]>;
const _allListed: MissingNames extends never ? true : never = true;
void _allListed;

const nameSet: ReadonlySet<string> = new Set(eventNames);

export function isEventName(value: unknown): value is EventName {
  return typeof value === 'string' && nameSet.has(value);
}

export { EventBus, createEventBus } from './event-bus.js';
export type { Listener, Tap, EventBusOptions } from './event-bus.js';
export { errorInfo } from './error-info.js';
