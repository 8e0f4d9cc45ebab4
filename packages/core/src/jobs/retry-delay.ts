/**
 * Delay before the next attempt from the backoff stored with the job (computeBackoff in
 * backoff.ts); `attempt` is the attempt that just failed (1-based).
 */
import { computeBackoff } from '../backoff.js';
import type { StoredBackoff } from './job.js';

export function backoffDelayMs(backoff: StoredBackoff | null, attempt: number, random: () => number = Math.random): number {
  return computeBackoff(backoff, Math.max(1, attempt), random);
}
