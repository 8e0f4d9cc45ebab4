/**
 * The job definition types, where producer and consumer meet: a worker's `defineJob` returns a
 * JobType, and a producer enqueues against it, so payload and result types flow from the handler
 * to `enqueue` without the scheduler depending on the worker.
 */
import type { Duration } from '../duration.js';
import type { BackoffOption } from './options.js';

export interface JobType<Name extends string = string, Payload = unknown, Result = unknown> {
  readonly name: Name;
  /** Default queue for enqueues of this type. @defaultValue `'default'` */
  readonly queue?: string;
  /** Default total attempts. @defaultValue `3` */
  readonly attempts?: number;
  /** Default retry delay policy. @defaultValue exponential from 1 s, capped at 1 h, jitter 0.2 */
  readonly backoff?: BackoffOption | null;
  /** Default per-attempt time limit. @defaultValue none */
  readonly timeout?: Duration | null;
  /** Type-level only: never set at run time. */
  readonly __payload?: (payload: Payload) => void;
  /** Type-level only: never set at run time. */
  readonly __result?: () => Result;
}

// `__payload` is contravariant: only `never` as the payload matches every typed definition.
export type PayloadOf<T> = T extends JobType<string, infer P, unknown> ? P : never;
export type ResultOf<T> = T extends JobType<string, never, infer R> ? R : never;

/**
 * Map of job name → JobType from a module's exports: `JobMapOf<typeof import('./jobs.js')>`.
 * Functions are skipped: their `name` property would otherwise make them look like job types.
 */
export type JobMapOf<M> = {
  [K in keyof M as M[K] extends (...args: never) => unknown ? never : M[K] extends JobType<string, never, unknown> ? M[K]['name'] : never]: M[K];
};
