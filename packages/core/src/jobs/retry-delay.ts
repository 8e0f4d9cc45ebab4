/**
 * Delay before the next attempt, from the backoff stored with the job. `attempt` is the attempt
 * that just failed (1-based). Exponential: delay * 2^(attempt-1), capped, with `jitter` of it
 * randomised downwards so retries of a burst of failures spread out.
 */
import type { StoredBackoff } from './job.js';

export function backoffDelayMs(backoff: StoredBackoff | null, attempt: number, random: () => number = Math.random): number {
  if (backoff === null) return 0;
  if (backoff.type === 'fixed') return backoff.delayMs;
  const raw = backoff.delayMs * 2 ** Math.max(0, attempt - 1);
  const capped = Math.min(raw, backoff.maxDelayMs ?? Number.MAX_SAFE_INTEGER);
  const jitter = backoff.jitter ?? 0;
  return Math.round(capped * (1 - jitter * random()));
}
