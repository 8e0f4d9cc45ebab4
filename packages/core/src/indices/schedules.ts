/**
 * Mapping of `<prefix>-schedules`: one document per recurring schedule (id = schedule name).
 * Schedulers read the due ones by `nextFireAt` and enqueue each fire with a deterministic job id,
 * so this index only needs the fields they filter and sort on indexed; the payload and per-job
 * options are stored, not indexed, so arbitrary user JSON never grows the mapping.
 */
export const schedulesMappings = {
  dynamic: 'strict',
  properties: {
    name: { type: 'keyword' },
    cron: { type: 'keyword' },
    tz: { type: 'keyword' },
    jobName: { type: 'keyword' },
    payload: { type: 'object', enabled: false },
    /** attempts, backoff, timeout… for the enqueued jobs (as stored with a job). */
    jobOptions: { type: 'object', enabled: false },
    queue: { type: 'keyword' },
    priority: { type: 'integer' },
    /** `once` | `all` | `skip` */
    misfirePolicy: { type: 'keyword' },
    /** Bound on fires enqueued after downtime with misfirePolicy `all`. */
    maxMissedFires: { type: 'integer' },
    paused: { type: 'boolean' },
    /** Owner of a reconciled set (e.g. `file`); absent on schedules created through the API. */
    managedBy: { type: 'keyword' },
    nextFireAt: { type: 'date' },
    lastFireAt: { type: 'date' },
    createdAt: { type: 'date' },
    updatedAt: { type: 'date' },
  },
} as const;

export const schedulesSettings = { number_of_shards: 1 } as const;

export interface ScheduleDocument {
  readonly name: string;
  readonly cron: string;
  readonly tz: string;
  readonly jobName: string;
  readonly payload: unknown;
  readonly jobOptions?: Readonly<Record<string, unknown>>;
  readonly queue: string;
  readonly priority: number;
  readonly misfirePolicy: 'once' | 'all' | 'skip';
  readonly maxMissedFires?: number;
  readonly paused: boolean;
  /** Set by `reconcileSchedules`: schedules with this owner that leave the set are deleted. */
  readonly managedBy?: string;
  /** ISO time; absent when paused with no next fire computed. */
  readonly nextFireAt?: string;
  readonly lastFireAt?: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}
