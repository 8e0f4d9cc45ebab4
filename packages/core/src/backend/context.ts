/**
 * What every backend operation receives. Operations (one file each in this folder) are plain
 * async functions `op(ctx, input)`; they are the only code in esjobs that calls the client.
 */
import type { Client } from '@elastic/elasticsearch';
import type { Clock } from '../clock.js';

/** Index names derived from the prefix (see indices/names.ts for validation). */
export interface IndexNames {
  readonly prefix: string;
  readonly jobs: string;
  readonly locks: string;
  readonly schedules: string;
  readonly workers: string;
  readonly events: string;
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
}

export interface BackendContext {
  readonly client: Client;
  readonly names: IndexNames;
  readonly clock: Clock;
  readonly metrics: BackendMetrics;
  /**
   * Run one Elasticsearch request: retries 429/503 with jittered backoff (shrinking batch sizes
   * is the caller's business, informed by `backpressure`), maps failures through mapEsError.
   * `op` names the operation for metrics.
   */
  request<T>(op: string, fn: () => Promise<T>): Promise<T>;
  /** Count a conflict (409) for `op`. */
  countConflict(op: string, n?: number): void;
}
