/**
 * Mapping of `<prefix>-workers`: one document per worker process (id = worker id), refreshed by
 * the worker every registry interval and deleted on clean shutdown. A document whose lastSeenAt is
 * older than a few intervals belongs to a dead worker.
 */
export const workersMappings = {
  dynamic: 'strict',
  properties: {
    workerId: { type: 'keyword' },
    host: { type: 'keyword' },
    pid: { type: 'integer' },
    queues: { type: 'keyword' },
    jobNames: { type: 'keyword' },
    concurrency: { type: 'integer' },
    active: { type: 'integer' },
    state: { type: 'keyword' },
    startedAt: { type: 'date' },
    lastSeenAt: { type: 'date' },
    /** Registry interval of the worker, so readers know when it counts as gone. */
    intervalMs: { type: 'long' },
    version: { type: 'keyword' },
  },
} as const;

export const workersSettings = { number_of_shards: 1 } as const;

export interface WorkerDocument {
  readonly workerId: string;
  readonly host: string;
  readonly pid: number;
  readonly queues: readonly string[];
  readonly jobNames: readonly string[];
  readonly concurrency: number;
  readonly active: number;
  /** `running` or `stopping` (draining after a signal). */
  readonly state: 'running' | 'stopping';
  readonly startedAt: string;
  readonly lastSeenAt: string;
  readonly intervalMs: number;
  readonly version: string;
}
