/**
 * Claim queued jobs for a worker.
 *
 * Inputs: queues (already without paused ones), job names (empty: any), worker id, free slots,
 * lease length, the claimer's recent-claims cache and contention spread. Request: one `_search`
 * for ids only (`state=queued`, queue/name filters, `runAt <= now`; sorted priority desc, runAt
 * asc, jobId asc; `seq_no_primary_term`; a few times `slots` candidates, more under contention;
 * `must_not ids` of jobs this claimer saw claimed in the last seconds); one real-time `_mget` of
 * a spread sample of the head (the free slots and a quarter more), whose current versions are checked
 * and claimed; more pages (`search_after`) only while too few are claimable; one `_bulk` of
 * conditional updates to `active` (attempt+1, lease owner, claim id and expiry, startedAt).
 * Outcomes: the claimed jobs, each with the claim token; items that 409 were someone else's and
 * are only counted (`conflicts`), unless the client replayed the bulk after a dropped connection:
 * then one `_mget` finds the claims that were ours after all (own-write.ts). Correct with stale search results: the real-time read filters,
 * the conditional write decides.
 */
import { randomUUID } from 'node:crypto';
import type { estypes } from '@elastic/elasticsearch';
import type { BackendContext } from './context.js';
import type { EsJobsError } from '../errors.js';
import type { ClaimedJob, JobDocument, StoredJob } from '../jobs/job.js';
import { JobState } from '../jobs/state.js';
import { iso, toMs } from '../jobs/document.js';
import type { RecentClaims } from '../jobs/recent-claims.js';
import type { ContentionSpread } from '../jobs/contention-spread.js';
import { jobUpdate, runJobBulk } from './job-bulk.js';
import { holdsChange } from './own-write.js';
import { getJobsLive } from './get-job.js';

export interface ClaimInput {
  readonly queues: readonly string[];
  /** Job names this worker handles; empty means any. */
  readonly jobNames: readonly string[];
  readonly workerId: string;
  readonly slots: number;
  readonly leaseMs: number;
  /** Candidates fetched per free slot. */
  readonly oversample: number;
  /** Check candidates with a real-time `_mget` before writing (fewer conflicts, one more request). */
  readonly verify: boolean;
  readonly recent: RecentClaims;
  readonly spread: ContentionSpread;
  /** Ids marked stale this recently are excluded from the search (covers a refresh interval or two). */
  readonly excludeWindowMs: number;
  /** Most ids excluded by `must_not ids`. */
  readonly excludeMax: number;
  /** Pages fetched (search_after) when a page holds too few fresh candidates. */
  readonly maxPages: number;
}

export interface ClaimResult {
  readonly jobs: ClaimedJob[];
  /** Conditional writes lost to another claimer. */
  readonly conflicts: number;
  /** Candidates the search returned, before filtering. */
  readonly candidates: number;
  /** Candidates dropped as already stale (cache or mget). */
  readonly staleDropped: number;
}

/** The partial update that claims a job, and the document as it will be after it. */
export function claimChange(doc: JobDocument, workerId: string, leaseMs: number, now: number): { change: Partial<JobDocument>; after: JobDocument } {
  const change = {
    state: JobState.active,
    attempt: doc.attempt + 1,
    lease: { owner: workerId, claimId: randomUUID(), expiresAt: iso(now + leaseMs) },
    startedAt: iso(now),
    finishedAt: null,
    cancelRequested: false,
    updatedAt: iso(now),
  };
  return { change, after: { ...doc, ...change } };
}

/** Conditionally claim the given jobs (read at their tokens). Shared with claimByIds. */
export async function claimStored(
  ctx: BackendContext,
  op: string,
  chosen: readonly StoredJob[],
  workerId: string,
  leaseMs: number,
  recent: RecentClaims,
): Promise<{ jobs: ClaimedJob[]; conflicts: number }> {
  if (chosen.length === 0) return { jobs: [], conflicts: 0 };
  const now = ctx.clock.now();
  const planned = chosen.map((c) => ({ job: c, ...claimChange(c.doc, workerId, leaseMs, now) }));
  const items = await runJobBulk(
    ctx,
    op,
    planned.map((p) => jobUpdate(ctx, p.job.id, p.change, p.job.token)),
  );
  const jobs: ClaimedJob[] = [];
  const errors: EsJobsError[] = [];
  const replayed: (typeof planned)[number][] = [];
  let conflicts = 0;
  planned.forEach((p, i) => {
    const item = items[i];
    recent.markStale(p.job.id, p.job.token.seqNo);
    if (item?.status === 'ok') jobs.push({ id: p.job.id, doc: p.after, token: item.token, workerId });
    else if (item?.status === 'conflict' && item.replayed) replayed.push(p);
    else if (item?.status === 'conflict') conflicts++;
    else if (item?.status === 'error') errors.push(item.error);
  });
  if (replayed.length > 0) {
    // A client retry resent the claim: a 409 may be our own claim applied by the first attempt
    // (the claimId is ours alone); left unrecognised, the job would sit active until reaped.
    const fresh = await getJobsLive(ctx, op, replayed.map((p) => p.job.id));
    for (const p of replayed) {
      const f = fresh.get(p.job.id);
      if (f !== undefined && holdsChange(f.doc, p.change)) jobs.push({ id: p.job.id, doc: f.doc, token: f.token, workerId });
      else conflicts++;
    }
  }
  // Item errors (mapping, cluster) surface when nothing was claimed; otherwise the claimed jobs must reach the worker.
  const [firstError] = errors;
  if (jobs.length === 0 && firstError !== undefined) throw firstError;
  return { jobs, conflicts };
}

type Sort = estypes.SortResults;

const MAX_CANDIDATES = 1000;

export async function claim(ctx: BackendContext, input: ClaimInput): Promise<ClaimResult> {
  if (input.slots <= 0 || input.queues.length === 0) return { jobs: [], conflicts: 0, candidates: 0, staleDropped: 0 };
  const now = ctx.clock.now();
  const filter: estypes.QueryDslQueryContainer[] = [
    { term: { state: JobState.queued } },
    { terms: { queue: [...input.queues] } },
    { range: { runAt: { lte: iso(now) } } },
  ];
  if (input.jobNames.length > 0) filter.push({ terms: { name: [...input.jobNames] } });
  // Jobs this claimer just saw claimed stay `queued` in search until the next refresh: exclude them.
  const exclude = input.recent.recentIds(input.excludeWindowMs, input.excludeMax);
  const query: estypes.QueryDslQueryContainer = { bool: { filter, ...(exclude.length > 0 ? { must_not: [{ ids: { values: exclude } }] } : {}) } };
  // Under contention the spread picks from a wider head, so fetch a wider head too (ids only: cheap).
  const size = Math.min(MAX_CANDIDATES, Math.max(input.slots, Math.ceil(input.slots * input.oversample * input.spread.factor)));
  const eligible: StoredJob[] = [];
  let candidates = 0;
  let dropped = 0;
  let after: Sort | undefined;
  for (let page = 0; page < input.maxPages && eligible.length < input.slots; page++) {
    const searchAfter = after;
    const res = await ctx.request('claim', () =>
      ctx.client.search({
        index: ctx.names.jobs,
        query,
        sort: [{ priority: { order: 'desc' } }, { runAt: { order: 'asc' } }, { jobId: { order: 'asc' } }],
        size,
        _source: false,
        seq_no_primary_term: true,
        track_total_hits: false,
        ...(searchAfter === undefined ? {} : { search_after: searchAfter }),
      }),
    );
    candidates += res.hits.hits.length;
    const ids: string[] = [];
    const seen = new Map<string, number>();
    for (const h of res.hits.hits) {
      if (h._id === undefined || h._seq_no === undefined) continue;
      if (input.recent.isStale(h._id, h._seq_no)) dropped++;
      else {
        ids.push(h._id);
        seen.set(h._id, h._seq_no);
      }
    }
    // Read a spread sample of the head in real time: its current version is the one to claim.
    const want = input.slots - eligible.length;
    const picked = input.verify ? input.spread.pick(ids, Math.min(ids.length, want + Math.ceil(want / 4))) : ids;
    const current = await getJobsLive(ctx, 'claim', picked);
    for (const id of picked) {
      const job = current.get(id);
      if (job !== undefined && isClaimable(job.doc, input, now)) eligible.push(job);
      else {
        dropped++;
        input.recent.markStale(id, seen.get(id) ?? 0);
      }
    }
    const last = res.hits.hits[res.hits.hits.length - 1];
    if (res.hits.hits.length < size || last?.sort === undefined) break;
    after = last.sort;
  }
  const chosen = eligible.slice(0, input.slots);
  const { jobs, conflicts } = await claimStored(ctx, 'claim', chosen, input.workerId, input.leaseMs, input.recent);
  input.spread.record(chosen.length, conflicts);
  return { jobs, conflicts, candidates, staleDropped: dropped };
}

/** What the search asked, checked again on the real-time document. */
function isClaimable(doc: JobDocument, input: ClaimInput, now: number): boolean {
  return (
    doc.state === JobState.queued &&
    input.queues.includes(doc.queue) &&
    (input.jobNames.length === 0 || input.jobNames.includes(doc.name)) &&
    (toMs(doc.runAt) ?? Number.POSITIVE_INFINITY) <= now
  );
}
