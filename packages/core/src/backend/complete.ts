/**
 * Complete a claimed job.
 *
 * Inputs: the claimed job (with its token), the handler's result. Request: a conditional partial
 * update to `completed` (result, finishedAt, lease cleared), sent in a settle bulk (settle.ts) so
 * many completions share one request. Outcomes: completed (new token), or LeaseLostError when the
 * token no longer matches a document this attempt still owns.
 */
import type { ClaimedJob, JobDocument } from '../jobs/job.js';
import { JobState } from '../jobs/state.js';
import { iso } from '../jobs/document.js';

export function completeChange(job: ClaimedJob, result: unknown, now: number): Partial<JobDocument> {
  return {
    state: JobState.completed,
    result: result === undefined ? null : result,
    finishedAt: iso(now),
    lease: null,
    updatedAt: iso(now),
    ...(job.doc.cancelRequested ? { cancelRequested: false } : {}),
  };
}
