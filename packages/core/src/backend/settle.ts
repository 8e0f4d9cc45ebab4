/**
 * Settle claimed jobs in one request: the batched write behind complete, fail and release.
 *
 * Inputs: claimed jobs with their tokens and what to do with each (complete with result, fail
 * with error, release). Request: one `_bulk` of conditional partial updates; for items that 409
 * or 404, one real-time `_mget` — when the document still belongs to this attempt (active, same
 * owner, same attempt: only a cancel request or progress moved its seq_no) the write is retried
 * once with the fresh token; when it already holds this very write (a client retry replayed a write
 * that had been applied), the write counts as done; then dead-letter.ts for jobs out of attempts. Outcomes per job:
 * completed | retrying (runAt) | failed | dead-lettered | released, or `lost` with a
 * LeaseLostError (another attempt owns it; nothing was overwritten).
 */
import type { BackendContext } from './context.js';
import { LeaseLostError } from '../errors.js';
import type { EsJobsError } from '../errors.js';
import type { ClaimedJob, ClaimToken, JobDocument } from '../jobs/job.js';
import { jobUpdate, runJobBulk } from './job-bulk.js';
import { holdsChange, stillOwned } from './own-write.js';
import { getJobsLive } from './get-job.js';
import { completeChange } from './complete.js';
import { releaseChange } from './release.js';
import { failPlan } from './fail.js';
import type { FailInput } from './fail.js';
import { deadLetter } from './dead-letter.js';
import type { DeadLetterHooks } from './dead-letter.js';

export type SettleAction =
  | { readonly type: 'complete'; readonly result: unknown }
  | { readonly type: 'fail'; readonly error: FailInput }
  | { readonly type: 'release' };

export interface SettleRequest {
  readonly job: ClaimedJob;
  readonly action: SettleAction;
}

export type SettleOutcome =
  | { readonly status: 'completed' | 'failed' | 'released'; readonly token: ClaimToken }
  | { readonly status: 'retrying'; readonly token: ClaimToken; readonly runAtMs: number }
  | { readonly status: 'dead-lettered'; readonly index: string }
  | { readonly status: 'lost'; readonly error: LeaseLostError }
  | { readonly status: 'error'; readonly error: EsJobsError };

type Status = 'completed' | 'failed' | 'released' | 'retrying' | 'dead-lettered';

interface Planned {
  readonly job: ClaimedJob;
  readonly status: Status;
  readonly change: Partial<JobDocument>;
  readonly runAtMs?: number;
}

function plan(ctx: BackendContext, req: SettleRequest, now: number): Planned {
  const { job, action } = req;
  if (action.type === 'complete') return { job, status: 'completed', change: completeChange(job, action.result, now) };
  if (action.type === 'release') return { job, status: 'released', change: releaseChange(job, now) };
  const p = failPlan(job, action.error, now, ctx.random);
  if (p.outcome === 'retrying') return { job, status: 'retrying', change: p.change, runAtMs: p.runAtMs };
  return { job, status: p.outcome, change: p.change };
}

export async function settle(ctx: BackendContext, requests: readonly SettleRequest[], hooks: DeadLetterHooks = {}): Promise<SettleOutcome[]> {
  const now = ctx.clock.now();
  const outcomes: (SettleOutcome | undefined)[] = new Array<SettleOutcome | undefined>(requests.length).fill(undefined);
  const toDead: { pos: number; job: ClaimedJob; after: JobDocument; token: ClaimToken }[] = [];
  let round = requests.map((r, pos) => ({ pos, planned: plan(ctx, r, now) }));
  for (let attempt = 0; attempt < 2 && round.length > 0; attempt++) {
    const items = await runJobBulk(
      ctx,
      'settle',
      round.map(({ planned: p }) => jobUpdate(ctx, p.job.id, p.change, p.job.token)),
    );
    const retry: number[] = [];
    const settled = (pos: number, p: Planned, token: ClaimToken): void => {
      if (p.status === 'dead-lettered') toDead.push({ pos, job: p.job, after: { ...p.job.doc, ...p.change }, token });
      else if (p.status === 'retrying') outcomes[pos] = { status: 'retrying', token, runAtMs: p.runAtMs ?? now };
      else outcomes[pos] = { status: p.status, token };
    };
    round.forEach(({ pos, planned: p }, i) => {
      const item = items[i];
      if (item === undefined) return;
      if (item.status === 'ok') {
        settled(pos, p, item.token);
      } else if (item.status === 'error') {
        outcomes[pos] = { status: 'error', error: item.error };
      } else {
        retry.push(i);
      }
    });
    if (retry.length === 0) break;
    const lostRound = retry.map((i) => round[i]).filter((r): r is (typeof round)[number] => r !== undefined);
    const fresh = await getJobsLive(ctx, 'settle', lostRound.map((r) => r.planned.job.id));
    const next: typeof round = [];
    for (const r of lostRound) {
      const f = fresh.get(r.planned.job.id);
      if (f !== undefined && f.doc.attempt === r.planned.job.doc.attempt && holdsChange(f.doc, r.planned.change)) {
        // Our write was applied by an attempt whose answer was lost (a client retry replayed it).
        settled(r.pos, r.planned, f.token);
      } else if (attempt === 0 && f !== undefined && stillOwned(r.planned.job, f.doc)) {
        const job: ClaimedJob = { ...r.planned.job, doc: f.doc, token: f.token };
        const req = requests[r.pos];
        if (req !== undefined) next.push({ pos: r.pos, planned: plan(ctx, { job, action: req.action }, now) });
      } else {
        const reason = f === undefined ? 'the job no longer exists' : `the job is ${f.doc.state}${f.doc.lease === null ? '' : ` with lease owner ${f.doc.lease.owner}`}, attempt ${f.doc.attempt}`;
        outcomes[r.pos] = { status: 'lost', error: new LeaseLostError(r.planned.job.id, reason) };
      }
    }
    round = next;
  }
  if (toDead.length > 0) {
    const moved = await deadLetter(
      ctx,
      toDead.map((d) => ({ id: d.job.id, doc: d.after, token: d.token })),
      'attempts-exhausted',
      hooks,
    );
    toDead.forEach((d, i) => {
      const m = moved[i];
      if (m?.status === 'dead') outcomes[d.pos] = { status: 'dead-lettered', index: m.index };
      else if (m?.status === 'error') outcomes[d.pos] = { status: 'error', error: m.error };
      // A conflict here means the marked job changed; repairDeadLetters finishes what is left.
      else outcomes[d.pos] = { status: 'dead-lettered', index: ctx.names.dead(d.job.doc.queue) };
    });
  }
  return outcomes.map(
    (o, pos) => o ?? { status: 'lost', error: new LeaseLostError(requests[pos]?.job.id ?? '?', 'no outcome for the write') },
  );
}
