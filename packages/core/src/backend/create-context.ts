/**
 * Builds the BackendContext every store operation receives: the client, index names for the
 * prefix, the clock, metrics, and the request runner with backpressure handling.
 */
import type { Client } from '@elastic/elasticsearch';
import { systemClock, type Clock } from '../clock.js';
import { clientNode, isClientLike } from '../connection.js';
import { ValidationError } from '../errors.js';
import { indexNames, prefixDefault } from '../indices/names.js';
import { validateBackpressureOptions, type BackpressureOptions } from '../options/backpressure.js';
import { maxPayloadBytesDefault, validateMaxPayloadBytes } from '../payload.js';
import { BackpressureMonitor } from './backpressure.js';
import type { BackendContext } from './context.js';
import { createRequestRunner, MetricsRecorder } from './request.js';

export interface CreateBackendContextOptions {
  /** A connected client (see connection.ts for building one from a URL or env). */
  readonly client: Client;
  /**
   * Index prefix.
   * @defaultValue "esjobs"
   */
  readonly prefix?: string;
  /**
   * Time source for leases, retries and backoff.
   * @defaultValue systemClock
   */
  readonly clock?: Clock;
  /**
   * Time for reacting to the cluster's push-back: retry waits after 429/503 and batch-size
   * recovery. Separate from `clock` because the cluster recovers in real time even when a test
   * drives job time with a ManualClock (which would otherwise leave a retry asleep forever).
   * @defaultValue systemClock
   */
  readonly pushbackClock?: Clock;
  /**
   * Random numbers in [0, 1) for jitter and contention spreading.
   * @defaultValue Math.random
   */
  readonly random?: () => number;
  /**
   * Largest serialized payload accepted, in bytes.
   * @defaultValue 524288 (512 KiB)
   */
  readonly maxPayloadBytes?: number;
  /**
   * Retry and batch-size adaptation when the cluster pushes back.
   * @defaultValue see options/backpressure.ts
   */
  readonly backpressure?: BackpressureOptions;
  /** Node URL for error messages when the client does not report one (credentials stripped). @defaultValue none */
  readonly node?: string;
}

export function createBackendContext(options: CreateBackendContextOptions): BackendContext {
  if (!isClientLike(options.client)) {
    throw new ValidationError('client', options.client, 'must be an @elastic/elasticsearch Client (8.x or 9.x)');
  }
  const clock = options.clock ?? systemClock;
  if (typeof clock.now !== 'function' || typeof clock.sleep !== 'function') {
    throw new ValidationError('clock', clock, 'must have now() and sleep(ms, signal)');
  }
  const pushbackClock = options.pushbackClock ?? systemClock;
  if (typeof pushbackClock.now !== 'function' || typeof pushbackClock.sleep !== 'function') {
    throw new ValidationError('pushbackClock', pushbackClock, 'must have now() and sleep(ms, signal)');
  }
  const random = options.random ?? Math.random;
  if (typeof random !== 'function') throw new ValidationError('random', random, 'must be a function returning [0, 1)');
  const names = indexNames(options.prefix ?? prefixDefault);
  const maxPayloadBytes = validateMaxPayloadBytes(options.maxPayloadBytes ?? maxPayloadBytesDefault);
  const bpOptions = validateBackpressureOptions(options.backpressure ?? {});
  const metrics = new MetricsRecorder();
  const backpressure = new BackpressureMonitor(pushbackClock, bpOptions);
  const request = createRequestRunner({ clock: pushbackClock, random, metrics, backpressure, options: bpOptions, node: options.node ?? clientNode(options.client) });
  return {
    client: options.client,
    names,
    clock,
    pushbackClock,
    metrics,
    backpressure,
    random,
    maxPayloadBytes,
    request,
    countConflict: (op: string, n = 1): void => metrics.add(metrics.conflicts, op, n),
  };
}
