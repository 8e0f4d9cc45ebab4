/**
 * Claim queued jobs for a worker.
 *
 * Inputs: queues (already without paused ones), job names (empty: any), worker id, free slots,
 * lease length, the claimer's recent-claims cache, contention spread and cursor, and optionally
 * its partition share (rank among the claimers of its queues).
 * Request: `_search` for `state=queued`, queue/name filters, `runAt <= now`, sorted priority desc,
 * runAt asc, jobId asc (`seq_no_primary_term`, no total). With a share, first over the claimer's
 * own partition slice, continuing after its cursor (`search_after`) and with `_source`, so the
 * hits are claimed as they are (while its recent writes were lost to someone stealing from the
 * slice, read in real time with `_mget` instead); only if that slice holds too few due jobs, a second sweep over
 * all partitions, newest first (stealing from the end other claimers are not working on), whose
 * picks are read in real time with one `_mget`. Without a share, one sweep over everything: from
 * the cursor, a spread sample of the head, checked with `_mget` when `verify` is set; a share of
 * one (the claimer knows it is alone) searches everything the way an own slice is searched. From the
 * head (no cursor), `must_not ids` excludes the jobs this claimer saw claimed in the last seconds
 * (search still shows them queued until a refresh); more pages (`search_after`) only while too
 * few are claimable. Then one `_bulk` of conditional updates to `active` (attempt+1, lease owner,
 * claim id and expiry, startedAt).
 * Outcomes: the claimed jobs, each with the claim token; items that 409 were someone else's and
 * are only counted (`conflicts`), unless the client replayed the bulk after a dropped connection:
 * then one `_mget` finds the claims that were ours after all (own-write.ts). Correct with stale
 * search results whatever the sweep: the conditional write decides.
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
import { getJobsLive, storedJob } from './get-job.js';
import type { ClaimCursor } from '../jobs/claim-cursor.js';
import type { ClaimLookahead } from '../jobs/claim-lookahead.js';
import { type PartitionShare, partitionRange } from '../jobs/partition.js';

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
  /** This claimer's share of the partitions, searched first; the rest only when it runs dry. */
  readonly partition?: PartitionShare;
  /** Where this claimer's next search of its own slice starts (see claim-cursor.ts). */
  readonly cursor?: ClaimCursor;
  /** Start the next search while this claim is written (see claim-lookahead.ts). */
  readonly lookahead?: ClaimLookahead;
}

export interface ClaimResult {
  readonly jobs: ClaimedJob[];
  /** Conditional writes lost to another claimer. */
  readonly conflicts: number;
  /** Candidates the search returned, before filtering. */
  readonly candidates: number;
  /** Candidates dropped as already stale (cache or mget). */
  readonly staleDropped: number;
  /**
   * Jobs taken from other claimers' slices (the own slice had too few). Steady stealing, like
   * conflicts, hints that the claimers' views of who shares the queue disagree.
   */
  readonly stolen: number;
  /** The candidates came from the search the previous claim started ahead (no search waited for). */
  readonly prefetched: boolean;
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
const SORT: estypes.SortCombinations[] = [{ priority: { order: 'desc' } }, { runAt: { order: 'asc' } }, { jobId: { order: 'asc' } }];
// Stealing from other claimers' slices starts at their newest jobs (priority still first): the
// owners work from the oldest, so thief and owner meet only when the slice is nearly done.
const STEAL_SORT: estypes.SortCombinations[] = [{ priority: { order: 'desc' } }, { runAt: { order: 'desc' } }, { jobId: { order: 'desc' } }];

interface Sweep {
  /** Extra filter of this sweep (the claimer's partitions), none for all jobs. */
  readonly filter: estypes.QueryDslQueryContainer | undefined;
  /** Pick at random from a wider head when claims collide (not needed in an own slice). */
  readonly spread: boolean;
  /** Take from other claimers' slices: newest first, no cursor. */
  readonly steal: boolean;
  /** Read the picked candidates in real time before writing (see ClaimInput.verify). */
  readonly verify: boolean;
  readonly key: string;
}

interface Gathered {
  readonly eligible: StoredJob[];
  candidates: number;
  dropped: number;
  prefetched: boolean;
}

export async function claim(ctx: BackendContext, input: ClaimInput): Promise<ClaimResult> {
  if (input.slots <= 0 || input.queues.length === 0) return { jobs: [], conflicts: 0, candidates: 0, staleDropped: 0, stolen: 0, prefetched: false };
  const now = ctx.clock.now();
  const base: estypes.QueryDslQueryContainer[] = [
    { term: { state: JobState.queued } },
    { terms: { queue: [...input.queues] } },
    { range: { runAt: { lte: iso(now) } } },
  ];
  if (input.jobNames.length > 0) base.push({ terms: { name: [...input.jobNames] } });
  const got: Gathered = { eligible: [], candidates: 0, dropped: 0, prefetched: false };
  let stolen = 0;
  for (const sweep of sweepsFor(input)) {
    if (got.eligible.length >= input.slots) break;
    const before = got.eligible.length;
    await gather(ctx, input, now, base, sweep, got);
    if (sweep.steal) stolen += got.eligible.length - before;
  }
  const chosen = got.eligible.slice(0, input.slots);
  const { jobs, conflicts } = await claimStored(ctx, 'claim', chosen, input.workerId, input.leaseMs, input.recent);
  input.spread.record(chosen.length, conflicts);
  return { jobs, conflicts, candidates: got.candidates, staleDropped: got.dropped, stolen: Math.min(stolen, jobs.length), prefetched: got.prefetched };
}

/** The searches of one claim, in order; later ones run only while too few jobs were found. */
function sweepsFor(input: ClaimInput): Sweep[] {
  const shape = `${input.queues.join(',')}|${input.jobNames.join(',')}`;
  if (input.partition === undefined) return [{ filter: undefined, spread: true, steal: false, verify: input.verify, key: shape }];
  // Nobody else starts in a claimer's own slice (everything, when it is alone), so search results
  // are claimed as they are (one request fewer).
  const range = partitionRange(input.partition);
  if (range === undefined) return [{ filter: undefined, spread: false, steal: false, verify: false, key: shape }];
  return [
    // Someone else can still have claimed here: a claimer that stole from this slice while its
    // owner was slow. The owner learns it from lost writes; while those are recent (the spread
    // widened), it reads its picks in real time too, instead of losing a write per stolen job
    // that search still shows queued.
    { filter: { range: { partition: { gte: range.from, lt: range.to } } }, spread: false, steal: false, verify: input.verify && input.spread.factor > 1, key: `${shape}|${range.from}-${range.to}` },
    // Stealing happens when slices run dry, when most of what search still shows queued has
    // just been claimed by the owners: only a real-time read tells what is left.
    { filter: undefined, spread: true, steal: true, verify: true, key: shape },
  ];
}

/** One sweep: search pages until enough claimable candidates are found, adding them to `got`. */
async function gather(ctx: BackendContext, input: ClaimInput, now: number, base: readonly estypes.QueryDslQueryContainer[], sweep: Sweep, got: Gathered): Promise<void> {
  // The slice filter first: it is what rejects most of the documents a search walks (others'
  // slices), and engines that test filters in order (the embedded one) stop there.
  const filter = sweep.filter === undefined ? [...base] : [sweep.filter, ...base];
  const cursor = sweep.steal ? undefined : input.cursor;
  const verify = sweep.verify;
  // A prefetched search is only used by a claim of the same mode (with or without `_source`).
  const aheadKey = verify ? `${sweep.key}|verify` : sweep.key;
  let after: Sort | undefined = cursor?.after(sweep.key);
  // From the head, this claimer's recent claims are still `queued` in search until the next
  // refresh: exclude them. After a cursor they are behind it already.
  const exclude = after === undefined ? input.recent.recentIds(input.excludeWindowMs, input.excludeMax) : [];
  const query: estypes.QueryDslQueryContainer = { bool: { filter, ...(exclude.length > 0 ? { must_not: [{ ids: { values: exclude } }] } : {}) } };
  const want0 = input.slots - got.eligible.length;
  // Under contention the spread picks from a wider head, so fetch a wider head too.
  const factor = sweep.spread ? input.spread.factor : 1;
  const size = Math.min(MAX_CANDIDATES, Math.max(want0, Math.ceil(want0 * (verify ? input.oversample : 1.25) * factor)));
  let reachedEnd = false;
  // The cursor may move past the longest run of hits that were all taken or seen stale.
  let lastTaken: Sort | undefined;
  let unbroken = true;
  const search = (searchAfter: Sort | undefined, attempts?: number): Promise<estypes.SearchResponse<unknown>> =>
    ctx.request(
      'claim',
      () =>
        ctx.client.search({
          index: ctx.names.jobs,
          query,
          sort: sweep.steal ? STEAL_SORT : SORT,
          size,
          _source: !verify,
          seq_no_primary_term: true,
          track_total_hits: false,
          ...(searchAfter === undefined ? {} : { search_after: searchAfter }),
        }),
      attempts === undefined ? {} : { maxAttempts: attempts },
    );
  for (let page = 0; page < input.maxPages && got.eligible.length < input.slots; page++) {
    const searchAfter = after;
    const ahead = page === 0 && searchAfter !== undefined && cursor !== undefined ? await input.lookahead?.take(aheadKey, searchAfter, size) : undefined;
    if (ahead !== undefined) got.prefetched = true;
    const res = ahead ?? (await search(searchAfter));
    const hits = res.hits.hits;
    got.candidates += hits.length;
    const fresh: { id: string; seqNo: number; job: StoredJob | undefined }[] = [];
    const consumed = new Set<string>();
    for (const h of hits) {
      if (h._id === undefined || h._id === null || h._seq_no === undefined) continue;
      if (input.recent.isStale(h._id, h._seq_no)) {
        got.dropped++;
        consumed.add(h._id);
      } else fresh.push({ id: h._id, seqNo: h._seq_no, job: verify ? undefined : storedJob(h) });
    }
    const want = input.slots - got.eligible.length;
    // In order while uncontended; a spread sample of a wider head when claimers collide.
    const take = Math.min(fresh.length, verify ? want + Math.ceil(want / 4) : want);
    const picked = sweep.spread ? input.spread.pick(fresh, take) : fresh.slice(0, take);
    // Verify: read the picked ones in real time; their current version is the one to claim.
    const current = verify ? await getJobsLive(ctx, 'claim', picked.map((p) => p.id)) : undefined;
    for (const p of picked) {
      const job = current === undefined ? p.job : current.get(p.id);
      if (job !== undefined && isClaimable(job.doc, input, now)) {
        if (got.eligible.length < input.slots) {
          got.eligible.push(job);
          consumed.add(p.id);
        }
      } else {
        got.dropped++;
        consumed.add(p.id);
        input.recent.markStale(p.id, p.seqNo);
      }
    }
    for (const h of hits) {
      if (!unbroken) break;
      if (h._id !== undefined && h._id !== null && consumed.has(h._id)) lastTaken = h.sort;
      else unbroken = false;
    }
    const last = hits[hits.length - 1];
    if (hits.length < size || last?.sort === undefined) {
      reachedEnd = true;
      break;
    }
    after = last.sort;
  }
  if (cursor === undefined) return;
  if (reachedEnd && got.eligible.length < input.slots) cursor.reset(sweep.key);
  else if (lastTaken !== undefined) cursor.advance(sweep.key, lastTaken);
  // A full batch from a slice that goes on: search for the next one while this one is written.
  // One attempt only: a pushed-back prefetch is dropped, and no retry outlives the claim.
  const next = cursor.after(sweep.key);
  if (input.lookahead !== undefined && !reachedEnd && got.eligible.length >= input.slots && next !== undefined) {
    input.lookahead.start(aheadKey, next, size, () => search(next, 1));
  }
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
