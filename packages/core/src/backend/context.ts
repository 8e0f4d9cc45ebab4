/**
 * What every backend operation receives. Operations (one file each in this folder) are plain
 * async functions `op(ctx, input)`; they are the only code in esjobs that calls the client.
 */
import type { Client } from '@elastic/elasticsearch';
import type { Clock } from '../clock.js';
import type { BackpressureMonitor } from './backpressure.js';
import type { RequestOptions } from './request.js';

/** Index names derived from the prefix (see indices/names.ts for validation). */
export interface IndexNames {
  readonly prefix: string;
  readonly jobs: string;
  readonly locks: string;
  readonly schedules: string;
  readonly workers: string;
  readonly events: string;
  /** Per-queue settings (paused); one small document per queue. */
  readonly queues: string;
  /** `<prefix>-dead-<queue>` */
  dead(queue: string): string;
  /** Pattern matching every dead-letter index: `<prefix>-dead-*` */
  readonly deadPattern: string;
}

/** Counters the backend keeps; exposed as metrics. */
export interface BackendMetrics {
  /** Conditional writes that lost (409), by operation name. */
  readonly conflicts: Map<string, number>;
  /** Requests that were pushed back (429/503) and retried, by operation name. */
  readonly backpressureRetries: Map<string, number>;
  /** Requests sent (each retry counts), by operation name. */
  readonly requests: Map<string, number>;
  /** Responses rejected with 429/503 (retried or not), by operation name. */
  readonly rejections: Map<string, number>;
  /** Requests that failed with anything but a conflict, after retries, by operation name. */
  readonly errors: Map<string, number>;
}

export interface BackendContext {
  readonly client: Client;
  readonly names: IndexNames;
  readonly clock: Clock;
  /**
   * Time for waits after the cluster pushed back (429/503), real time by default: a test's
   * manual `clock` must not leave a retry asleep forever.
   */
  readonly pushbackClock: Clock;
  readonly metrics: BackendMetrics;
  /**
   * Retry wait, recent 429 rate, and batch-size advisors for claim / heartbeat / bulk callers.
   * Runs on the context's pushback clock (real time by default), not on `clock`.
   */
  readonly backpressure: BackpressureMonitor;
  /** Randomness for jitter and contention spreading (injectable for deterministic tests). */
  readonly random: () => number;
  /** Payload size limit in bytes of serialized JSON (see payload.ts). */
  readonly maxPayloadBytes: number;
  /**
   * Run one Elasticsearch request: retries 429/503 with jittered backoff (shrinking batch sizes
   * is the caller's business, informed by `backpressure`), maps failures through mapEsError.
   * `op` names the operation for metrics.
   */
  request<T>(op: string, fn: () => Promise<T>, options?: RequestOptions): Promise<T>;
  /**
   * Count a conflict (409) for `op`. `request` already counts thrown 409s; callers count bulk
   * item conflicts (or use inspectBulk from bulk-result.ts, which does).
   */
  countConflict(op: string, n?: number): void;
}
