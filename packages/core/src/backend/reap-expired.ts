/**
 * Recover jobs whose lease expired (the worker died or hung).
 *
 * Inputs: now (from the clock), a limit. Request: one `_search` for `state=active AND
 * lease.expiresAt < now` (`seq_no_primary_term`), one `_bulk` of conditional updates: back to
 * `queued` with stalls+1, the attempt given back and a `stalled` entry in the history, or — past
 * maxStalls — marked for dead-lettering and moved by dead-letter.ts, or — when a cancel was
 * requested and its owner never learned of it — `failed` with a `cancelled` entry (a requeue would
 * lose the cancel). Stale search hits simply 409 (the job was heartbeated or settled meanwhile).
 * Coordination between reapers (a lock) is the caller's business; two reapers racing are safe,
 * one write wins.
 * Outcomes: ids requeued, dead-lettered and cancelled, the same per job with its details (for
 * `job:stalled` / `job:dead-lettered` / `job:cancelled` events), conflicts.
 */
import type { BackendContext } from './context.js';
import type { JobDocument, StoredJob } from '../jobs/job.js';
import { JobState } from '../jobs/state.js';
import { iso } from '../jobs/document.js';
import { jobUpdate, runJobBulk } from './job-bulk.js';
import { storedJob } from './get-job.js';
import { appendError, errorRecord } from './fail.js';
import { deadLetter } from './dead-letter.js';

export type ReapOutcome = 'requeued' | 'dead-lettered' | 'cancelled';

/** One job taken back from an expired lease. */
export interface ReapedJob {
  readonly jobId: string;
  readonly name: string;
  readonly queue: string;
  /** The attempt whose lease expired. */
  readonly attempt: number;
  /** Stall count including this one. */
  readonly stalls: number;
  /** Worker that held the expired lease. */
  readonly previousWorkerId: string | null;
  readonly outcome: ReapOutcome;
  /** Dead-letter index, for `dead-lettered`. */
  readonly deadIndex?: string;
}

export interface ReapResult {
  readonly requeued: string[];
  readonly deadLettered: string[];
  readonly cancelled: string[];
  /** Every job reaped, in the order of the ids above. */
  readonly jobs: ReapedJob[];
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
  const planned: { job: StoredJob; change: Partial<JobDocument>; outcome: ReapOutcome; stalls: number }[] = [];
  for (const h of res.hits.hits) {
    const job = storedJob(h);
    if (job === undefined) continue;
    const doc = job.doc;
    const stalls = doc.stalls + 1;
    const stalled = errorRecord(doc.attempt, { message: `lease of ${doc.lease?.owner ?? 'unknown worker'} expired at ${doc.lease?.expiresAt ?? '?'}`, kind: 'stalled' }, now);
    const errors = appendError(doc, stalled);
    const common = { stalls, lease: null, errors, lastError: stalled.message, updatedAt: iso(now) };
    if (doc.cancelRequested) {
      const cancelled = errorRecord(doc.attempt, { message: 'cancelled', kind: 'cancelled' }, now);
      const change = { ...common, state: JobState.failed, finishedAt: iso(now), errors: appendError({ ...doc, errors }, cancelled), lastError: 'cancelled' };
      planned.push({ job, change, outcome: 'cancelled', stalls });
    } else if (stalls > doc.maxStalls) {
      planned.push({ job, change: { ...common, state: JobState.failed, finishedAt: iso(now), deadLetter: true }, outcome: 'dead-lettered', stalls });
    } else {
      const change = { ...common, state: JobState.queued, attempt: Math.max(0, doc.attempt - 1), startedAt: null };
      planned.push({ job, change, outcome: 'requeued', stalls });
    }
  }
  if (planned.length === 0) return { requeued: [], deadLettered: [], cancelled: [], jobs: [], conflicts: 0 };
  const items = await runJobBulk(
    ctx,
    'reap',
    planned.map((p) => jobUpdate(ctx, p.job.id, p.change, p.job.token)),
  );
  const written: (typeof planned)[number][] = [];
  const toDead: StoredJob[] = [];
  let conflicts = 0;
  planned.forEach((p, i) => {
    const item = items[i];
    if (item?.status === 'ok') {
      written.push(p);
      if (p.outcome === 'dead-lettered') toDead.push({ id: p.job.id, doc: { ...p.job.doc, ...p.change }, token: item.token });
    } else if (item?.status === 'conflict' || item?.status === 'missing') conflicts++;
    else if (item !== undefined) throw item.error;
  });
  const moved = new Map((await deadLetter(ctx, toDead, 'stalled')).map((m) => [m.id, m]));
  const jobs: ReapedJob[] = [];
  for (const p of written) {
    const { doc } = p.job;
    const base = { jobId: p.job.id, name: doc.name, queue: doc.queue, attempt: doc.attempt, stalls: p.stalls, previousWorkerId: doc.lease?.owner ?? null, outcome: p.outcome };
    if (p.outcome !== 'dead-lettered') jobs.push(base);
    else {
      // Marked but not moved yet (an error between the writes): repair moves it later.
      const m = moved.get(p.job.id);
      if (m?.status === 'dead') jobs.push({ ...base, deadIndex: m.index });
    }
  }
  const ids = (o: ReapOutcome): string[] => jobs.filter((j) => j.outcome === o).map((j) => j.jobId);
  return { requeued: ids('requeued'), deadLettered: ids('dead-lettered'), cancelled: ids('cancelled'), jobs, conflicts };
}
