/**
 * Redrive dead-lettered jobs: bring them back to the jobs index as new, queued jobs.
 *
 * Inputs: queue, job ids. Request: real-time `_mget` in `<prefix>-dead-<queue>`; one `_bulk` of
 * `create` into the jobs index (queued, runAt now, attempt and stalls reset, history kept,
 * `redriving: true`); one `_bulk` deleting the dead copies; one `_bulk` clearing `redriving`
 * (conditional: if the job was claimed meanwhile the mark stays for repair, which is harmless).
 * A crash between create and delete leaves both copies; repairDeadLetters finishes it.
 * Outcomes per id: `redriven` | `not-found` (not in the dead index) | `exists` (a live job with
 * that id exists: nothing written) | `error`.
 */
import type { estypes } from '@elastic/elasticsearch';
import type { BackendContext } from './context.js';
import type { EsJobsError } from '../errors.js';
import type { JobDocument, StoredJob } from '../jobs/job.js';
import { JobState } from '../jobs/state.js';
import { iso, liveFields, readJobDocument } from '../jobs/document.js';
import { jobUpdate, runJobBulk } from './job-bulk.js';

export type RedriveOutcome =
  | { readonly id: string; readonly status: 'redriven' | 'not-found' | 'exists' }
  | { readonly id: string; readonly status: 'error'; readonly error: EsJobsError };

function isFound(d: estypes.MgetResponseItem): d is estypes.GetGetResult {
  return 'found' in d && d.found;
}

/** Delete the dead copy of a redriven job, then clear its mark. */
export async function finishRedrive(ctx: BackendContext, job: StoredJob): Promise<void> {
  await runJobBulk(ctx, 'dead-redrive', [{ kind: 'delete', index: ctx.names.dead(job.doc.queue), id: job.id }]);
  await runJobBulk(ctx, 'dead-redrive', [
    jobUpdate(ctx, job.id, { redriving: false }, job.token),
  ]);
}

export interface RedriveHooks {
  readonly afterLiveWrite?: (ids: readonly string[]) => Promise<void> | void;
}

export async function redrive(ctx: BackendContext, queue: string, ids: readonly string[], hooks: RedriveHooks = {}): Promise<RedriveOutcome[]> {
  if (ids.length === 0) return [];
  const index = ctx.names.dead(queue);
  const res = await ctx.request('dead-redrive', () => ctx.client.mget({ docs: ids.map((id) => ({ _index: index, _id: id })) }));
  const found = new Map<string, JobDocument>();
  for (const d of res.docs) if (isFound(d)) found.set(d._id, readJobDocument(d._source, d._id));
  const now = ctx.clock.now();
  const toCreate = ids.filter((id) => found.has(id));
  const docs = toCreate.map((id): JobDocument => {
    const dead = found.get(id) as JobDocument;
    const base = liveFields(dead as unknown as Record<string, unknown>) as unknown as JobDocument;
    return {
      ...base,
      state: JobState.queued,
      runAt: iso(now),
      startedAt: null,
      finishedAt: null,
      attempt: 0,
      stalls: 0,
      lease: null,
      cancelRequested: false,
      deadLetter: false,
      redriving: true,
      updatedAt: iso(now),
    };
  });
  const created = await runJobBulk(
    ctx,
    'dead-redrive',
    docs.map((doc) => ({ kind: 'create' as const, index: ctx.names.jobs, id: doc.jobId, document: doc })),
  );
  const createdJobs: StoredJob[] = [];
  const out = new Map<string, RedriveOutcome>();
  docs.forEach((doc, i) => {
    const c = created[i];
    if (c?.status === 'ok') createdJobs.push({ id: doc.jobId, doc, token: c.token });
    else if (c?.status === 'conflict') out.set(doc.jobId, { id: doc.jobId, status: 'exists' });
    else if (c !== undefined) out.set(doc.jobId, { id: doc.jobId, status: 'error', error: c.error });
  });
  await hooks.afterLiveWrite?.(createdJobs.map((j) => j.id));
  if (createdJobs.length > 0) {
    await runJobBulk(ctx, 'dead-redrive', createdJobs.map((j) => ({ kind: 'delete' as const, index, id: j.id })));
    await runJobBulk(
      ctx,
      'dead-redrive',
      createdJobs.map((j) => jobUpdate(ctx, j.id, { redriving: false }, j.token)),
    );
  }
  for (const j of createdJobs) out.set(j.id, { id: j.id, status: 'redriven' });
  return ids.map((id) => out.get(id) ?? { id, status: 'not-found' });
}
