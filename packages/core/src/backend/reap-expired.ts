/**
 * Recover jobs whose lease expired (the worker died or hung).
 *
 * Inputs: now (from the clock), a limit. Request: one `_search` for `state=active AND
 * lease.expiresAt < now` (`seq_no_primary_term`), one `_bulk` of conditional updates: back to
 * `queued` with stalls+1, the attempt given back and a `stalled` entry in the history, or — past
 * maxStalls — marked for dead-lettering and moved by dead-letter.ts. Stale search hits simply 409
 * (the job was heartbeated or settled meanwhile). Coordination between reapers (a lock) is the
 * caller's business; two reapers racing are safe, one write wins.
 * Outcomes: ids requeued, ids dead-lettered, conflicts.
 */
import type { BackendContext } from './context.js';
import type { JobDocument, StoredJob } from '../jobs/job.js';
import { JobState } from '../jobs/state.js';
import { iso } from '../jobs/document.js';
import { jobUpdate, runJobBulk } from './job-bulk.js';
import { storedJob } from './get-job.js';
import { appendError, errorRecord } from './fail.js';
import { deadLetter } from './dead-letter.js';

export interface ReapResult {
  readonly requeued: string[];
  readonly deadLettered: string[];
  readonly conflicts: number;
}

export async function reapExpired(ctx: BackendContext, limit: number): Promise<ReapResult> {
  const now = ctx.clock.now();
  const res = await ctx.request('reap', () =>
    ctx.client.search({
      index: ctx.names.jobs,
      query: { bool: { filter: [{ term: { state: JobState.active } }, { range: { 'lease.expiresAt': { lt: iso(now) } } }] } },
      sort: [{ 'lease.expiresAt': { order: 'asc' } }, { jobId: { order: 'asc' } }],
      size: limit,
      seq_no_primary_term: true,
      track_total_hits: false,
    }),
  );
  const planned: { job: StoredJob; change: Partial<JobDocument>; dead: boolean }[] = [];
  for (const h of res.hits.hits) {
    const job = storedJob(h);
    if (job === undefined) continue;
    const doc = job.doc;
    const stalls = doc.stalls + 1;
    const record = errorRecord(doc.attempt, { message: `lease of ${doc.lease?.owner ?? 'unknown worker'} expired at ${doc.lease?.expiresAt ?? '?'}`, kind: 'stalled' }, now);
    const common = { stalls, lease: null, errors: appendError(doc, record), lastError: record.message, updatedAt: iso(now) };
    const dead = stalls > doc.maxStalls;
    const change: Partial<JobDocument> = dead
      ? { ...common, state: JobState.failed, finishedAt: iso(now), deadLetter: true }
      : { ...common, state: JobState.queued, attempt: Math.max(0, doc.attempt - 1), startedAt: null, cancelRequested: false };
    planned.push({ job, change, dead });
  }
  if (planned.length === 0) return { requeued: [], deadLettered: [], conflicts: 0 };
  const items = await runJobBulk(
    ctx,
    'reap',
    planned.map((p) => jobUpdate(ctx, p.job.id, p.change, p.job.token)),
  );
  const requeued: string[] = [];
  const toDead: StoredJob[] = [];
  let conflicts = 0;
  planned.forEach((p, i) => {
    const item = items[i];
    if (item?.status === 'ok') {
      if (p.dead) toDead.push({ id: p.job.id, doc: { ...p.job.doc, ...p.change }, token: item.token });
      else requeued.push(p.job.id);
    } else if (item?.status === 'conflict' || item?.status === 'missing') conflicts++;
    else if (item !== undefined) throw item.error;
  });
  const moved = await deadLetter(ctx, toDead, 'stalled');
  return { requeued, deadLettered: moved.filter((m) => m.status === 'dead').map((m) => m.id), conflicts };
}
