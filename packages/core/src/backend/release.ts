/**
 * Release a claimed job without counting the attempt (graceful shutdown).
 *
 * Inputs: the claimed job with its token. Request: a conditional partial update back to `queued`
 * (attempt-1, lease cleared, runAt unchanged so it keeps its place), sent in a settle bulk.
 * Outcomes: released, or LeaseLostError.
 */
import type { ClaimedJob, JobDocument } from '../jobs/job.js';
import { JobState } from '../jobs/state.js';
import { iso } from '../jobs/document.js';

export function releaseChange(job: ClaimedJob, now: number): Partial<JobDocument> {
  return {
    state: JobState.queued,
    attempt: Math.max(0, job.doc.attempt - 1),
    lease: null,
    startedAt: null,
    updatedAt: iso(now),
  };
}
