/**
 * Running one Elasticsearch request: retry while the cluster pushes back (429 / 503) with capped
 * exponential backoff and full jitter on the injected pushback clock, map every failure through mapEsError,
 * and count what happened. A 409 is an expected outcome of a conditional write: it is counted and
 * rethrown as ConflictError, never retried here.
 */
import type { Clock } from '../clock.js';
import { BackpressureError, ConflictError } from '../errors.js';
import { mapEsError } from '../es-error-mapper.js';
import type { ResolvedBackpressureOptions } from '../options/backpressure.js';
import type { BackpressureMonitor } from './backpressure.js';
import type { BackendMetrics } from './context.js';

export interface RequestOptions {
  /** Stops retry waits; the signal's reason is thrown. */
  readonly signal?: AbortSignal;
  /** Overrides the configured attempts for this request (1 = no retry). */
  readonly maxAttempts?: number;
}

export type RequestFn = <T>(op: string, fn: () => Promise<T>, options?: RequestOptions) => Promise<T>;

/** Counters by operation name; plain Maps so callers can read them without copying. */
export class MetricsRecorder implements BackendMetrics {
  readonly requests = new Map<string, number>();
  readonly conflicts = new Map<string, number>();
  readonly backpressureRetries = new Map<string, number>();
  readonly rejections = new Map<string, number>();
  readonly errors = new Map<string, number>();

  add(map: Map<string, number>, op: string, n = 1): void {
    if (n === 0) return;
    map.set(op, (map.get(op) ?? 0) + n);
  }
}

/**
 * Full-jitter backoff: a random wait in [0, min(cap, base * 2^(retry-1))]. Spreads simultaneous
 * retries of many processes so they do not hit the cluster again in lockstep.
 */
export function pushbackDelayMs(retry: number, options: Pick<ResolvedBackpressureOptions, 'baseDelayMs' | 'maxDelayMs'>, random: () => number): number {
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** Math.max(0, retry - 1));
  return Math.floor(random() * ceiling);
}

export interface RequestRunnerDeps {
  /** Clock for retry waits (the context's pushbackClock: real time unless a test injects one). */
  readonly clock: Clock;
  readonly random: () => number;
  readonly metrics: MetricsRecorder;
  readonly backpressure: BackpressureMonitor;
  readonly options: ResolvedBackpressureOptions;
  /** Node URL for error messages when the client does not say (credentials are stripped). */
  readonly node?: string;
}

export function createRequestRunner(deps: RequestRunnerDeps): RequestFn {
  const { clock, random, metrics, backpressure, options } = deps;
  return async function request<T>(op: string, fn: () => Promise<T>, requestOptions: RequestOptions = {}): Promise<T> {
    const maxAttempts = requestOptions.maxAttempts ?? options.maxAttempts;
    for (let attempt = 1; ; attempt++) {
      metrics.add(metrics.requests, op);
      let raw: unknown;
      try {
        const result = await fn();
        backpressure.recordSuccess();
        return result;
      } catch (thrown) {
        raw = thrown;
      }
      const err = mapEsError(raw, { op, node: deps.node });
      if (err instanceof ConflictError) {
        metrics.add(metrics.conflicts, op);
        throw err;
      }
      if (!(err instanceof BackpressureError)) {
        metrics.add(metrics.errors, op);
        throw err;
      }
      metrics.add(metrics.rejections, op);
      if (attempt >= maxAttempts) {
        backpressure.recordRejection(1, { op, status: err.status, attempt });
        metrics.add(metrics.errors, op);
        throw new BackpressureError(`${err.message} (gave up after ${attempt} attempt${attempt === 1 ? '' : 's'})`, { cause: raw, status: err.status });
      }
      const delay = pushbackDelayMs(attempt, options, random);
      backpressure.recordRejection(1, { op, status: err.status, delayMs: delay, attempt });
      metrics.add(metrics.backpressureRetries, op);
      await clock.sleep(delay, requestOptions.signal);
    }
  };
}
