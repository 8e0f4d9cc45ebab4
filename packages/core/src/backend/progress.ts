/**
 * Record a claimed job's progress.
 *
 * Inputs: the claimed job with its token, any JSON value. Request: one conditional partial update
 * (`progress`, updatedAt); on 409/404 one real-time `_mget`, and when the attempt still owns the
 * job (a heartbeat or cancel request moved its seq_no) one more conditional update with the fresh
 * token. Outcomes: the job with its new token, or LeaseLostError.
 */
import type { BackendContext } from './context.js';
import { LeaseLostError } from '../errors.js';
import type { ClaimedJob } from '../jobs/job.js';
import { JobState } from '../jobs/state.js';
import { iso } from '../jobs/document.js';
import { jobUpdate, runJobBulk } from './job-bulk.js';
import { getJobsLive } from './get-job.js';

export async function updateProgress(ctx: BackendContext, job: ClaimedJob, progress: unknown): Promise<ClaimedJob> {
  const change = { progress: progress === undefined ? null : progress, updatedAt: iso(ctx.clock.now()) };
  let current = job;
  for (let attempt = 0; attempt < 2; attempt++) {
    const [item] = await runJobBulk(ctx, 'progress', [jobUpdate(ctx, job.id, change, current.token)]);
    if (item === undefined) break;
    if (item.status === 'ok') return { ...current, doc: { ...current.doc, ...change }, token: item.token };
    if (item.status === 'error') throw item.error;
    const fresh = (await getJobsLive(ctx, 'progress', [job.id])).get(job.id);
    const ours =
      fresh !== undefined &&
      fresh.doc.state === JobState.active &&
      fresh.doc.lease?.owner === job.workerId &&
      fresh.doc.attempt === job.doc.attempt &&
      fresh.doc.lease.claimId === job.doc.lease?.claimId;
    if (!ours) throw new LeaseLostError(job.id, fresh === undefined ? 'the job no longer exists' : `the job is ${fresh.doc.state}, lease owner ${fresh.doc.lease?.owner ?? 'none'}`);
    current = { ...current, doc: fresh.doc, token: fresh.token };
  }
  throw new LeaseLostError(job.id, 'the job kept changing underneath');
}
