/**
 * Give a claimed job back to its queue to run after a delay, without counting the attempt (a
 * handler's RetryLaterError: rate limits, a dependency down).
 *
 * Inputs: the claimed job with its token, the new runAt (epoch ms). Request: one `_bulk` of
 * conditional partial updates (state queued, attempt - 1, runAt, lease cleared). On 409, one
 * real-time `_mget`: when the job is still this attempt's (only a progress or cancel write moved
 * its seq_no) the write is retried with the fresh token. Outcomes per job: `requeued`, or `lost`
 * with a LeaseLostError, or `error`.
 */
import { type EsJobsError, LeaseLostError } from '../errors.js';
import { iso } from '../jobs/document.js';
import type { ClaimedJob, JobDocument } from '../jobs/job.js';
import { JobState } from '../jobs/state.js';
import type { BackendContext } from './context.js';
import { getJobsLive } from './get-job.js';
import { runJobBulk } from './job-bulk.js';

export interface RetryLaterRequest {
  readonly job: ClaimedJob;
  readonly runAtMs: number;
}

export type RetryLaterOutcome = { readonly status: 'requeued' } | { readonly status: 'lost'; readonly error: LeaseLostError } | { readonly status: 'error'; readonly error: EsJobsError };

function change(job: ClaimedJob, runAtMs: number, now: number): Partial<JobDocument> {
  return { state: JobState.queued, attempt: Math.max(0, job.doc.attempt - 1), runAt: iso(runAtMs), lease: null, startedAt: null, updatedAt: iso(now) };
}

export async function retryLater(ctx: BackendContext, requests: readonly RetryLaterRequest[]): Promise<RetryLaterOutcome[]> {
  const out: RetryLaterOutcome[] = requests.map(() => ({ status: 'lost', error: new LeaseLostError('?', 'no outcome for the write') }));
  let round = requests.map((r, pos) => ({ pos, job: r.job, runAtMs: r.runAtMs }));
  for (let attempt = 0; attempt < 2 && round.length > 0; attempt++) {
    const now = ctx.clock.now();
    const items = await runJobBulk(
      ctx,
      'retry-later',
      round.map((r) => ({ kind: 'update' as const, index: ctx.names.jobs, id: r.job.id, doc: change(r.job, r.runAtMs, now), token: r.job.token })),
    );
    const again: typeof round = [];
    round.forEach((r, i) => {
      const item = items[i];
      if (item?.status === 'ok') out[r.pos] = { status: 'requeued' };
      else if (item?.status === 'error') out[r.pos] = { status: 'error', error: item.error };
      else again.push(r);
    });
    if (again.length === 0) break;
    const fresh = await getJobsLive(ctx, 'retry-later', again.map((r) => r.job.id));
    const next: typeof round = [];
    for (const r of again) {
      const f = fresh.get(r.job.id);
      const ours = f !== undefined && f.doc.state === JobState.active && f.doc.lease?.owner === r.job.workerId && f.doc.attempt === r.job.doc.attempt;
      if (ours && attempt === 0) next.push({ ...r, job: { ...r.job, doc: f.doc, token: f.token } });
      else out[r.pos] = { status: 'lost', error: new LeaseLostError(r.job.id, f === undefined ? 'the job no longer exists' : `the job is ${f.doc.state}`) };
    }
    round = next;
  }
  return out;
}
