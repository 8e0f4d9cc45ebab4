/**
 * Record a claimed job's progress.
 *
 * Inputs: the claimed job with its token, any JSON value. Request: one conditional partial update
 * (`progress`, updatedAt). Outcomes: the new token, or LeaseLostError (409/404).
 */
import type { BackendContext } from './context.js';
import { LeaseLostError } from '../errors.js';
import type { ClaimedJob } from '../jobs/job.js';
import { iso } from '../jobs/document.js';
import { runJobBulk } from './job-bulk.js';

export async function updateProgress(ctx: BackendContext, job: ClaimedJob, progress: unknown): Promise<ClaimedJob> {
  const change = { progress: progress === undefined ? null : progress, updatedAt: iso(ctx.clock.now()) };
  const [item] = await runJobBulk(ctx, 'progress', [{ kind: 'update', index: ctx.names.jobs, id: job.id, doc: change, token: job.token }]);
  if (item === undefined) throw new LeaseLostError(job.id, 'no outcome for the write');
  if (item.status === 'ok') return { ...job, doc: { ...job.doc, ...change }, token: item.token };
  if (item.status === 'error') throw item.error;
  throw new LeaseLostError(job.id, item.status === 'missing' ? 'the job no longer exists' : 'another write changed the job', { cause: item.error });
}
