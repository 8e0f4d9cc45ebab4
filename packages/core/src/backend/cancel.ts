/**
 * Cancel a job.
 *
 * Inputs: job id. Request: real-time `_mget`, then one conditional update: a queued job becomes
 * `failed` at once (error kind `cancelled`); an active job gets `cancelRequested: true`, which its
 * owner learns at the next heartbeat. Retried a few times when the job changes underneath.
 * Outcomes: `cancelled` | `requested` (active) | `not-cancellable` (already completed/failed) |
 * `not-found`.
 */
import type { BackendContext } from './context.js';
import { JobState } from '../jobs/state.js';
import type { JobState as JobStateType } from '../jobs/state.js';
import { iso } from '../jobs/document.js';
import { jobUpdate, runJobBulk } from './job-bulk.js';
import { getJobsLive } from './get-job.js';
import { appendError, errorRecord } from './fail.js';

export type CancelOutcome =
  | { readonly status: 'cancelled' | 'requested' }
  | { readonly status: 'not-cancellable'; readonly state: JobStateType }
  | { readonly status: 'not-found' };

const ATTEMPTS = 5;

export async function cancel(ctx: BackendContext, id: string): Promise<CancelOutcome> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const job = (await getJobsLive(ctx, 'cancel', [id])).get(id);
    if (job === undefined) return { status: 'not-found' };
    const now = ctx.clock.now();
    const { state } = job.doc;
    if (state === JobState.active && job.doc.cancelRequested) return { status: 'requested' };
    if (state !== JobState.queued && state !== JobState.active) return { status: 'not-cancellable', state };
    const record = errorRecord(job.doc.attempt, { message: 'cancelled', kind: 'cancelled' }, now);
    const change =
      state === JobState.queued
        ? { state: JobState.failed, finishedAt: iso(now), errors: appendError(job.doc, record), lastError: 'cancelled', updatedAt: iso(now) }
        : { cancelRequested: true, updatedAt: iso(now) };
    const [item] = await runJobBulk(ctx, 'cancel', [jobUpdate(ctx, id, change, job.token)]);
    if (item?.status === 'ok') return { status: state === JobState.queued ? 'cancelled' : 'requested' };
    if (item?.status === 'error') throw item.error;
  }
  return { status: 'not-cancellable', state: JobState.active };
}
