/**
 * Finish interrupted dead-letter moves and redrives, so a crash between the two writes neither
 * loses nor duplicates a job.
 *
 * Inputs: a limit per pass. Request: (1) `_search` of live jobs marked `deadLetter: true` (with
 * seq_no_primary_term), then dead-letter.ts for them (write again, conditional delete);
 * (2) `_search` of live jobs marked `redriving: true` (a redrive that stopped before deleting the
 * dead copy): the dead copy is deleted and the mark cleared (dead-redrive.ts).
 * Outcomes: how many moves were finished and how many redrive leftovers were removed.
 */
import type { BackendContext } from './context.js';
import { JobState } from '../jobs/state.js';
import type { StoredJob } from '../jobs/job.js';
import { deadLetter } from './dead-letter.js';
import { getJobsLive, storedJob } from './get-job.js';
import { finishRedrive } from './dead-redrive.js';

export interface RepairResult {
  /** Live copies of dead-lettered jobs removed (moves finished). */
  readonly movesFinished: string[];
  /** Dead copies of redriven jobs removed. */
  readonly redrivesFinished: string[];
}

export async function repairDeadLetters(ctx: BackendContext, limit: number): Promise<RepairResult> {
  const marked = await ctx.request('dead-letter-repair', () =>
    ctx.client.search({
      index: ctx.names.jobs,
      query: { bool: { filter: [{ term: { deadLetter: true } }] } },
      sort: [{ jobId: { order: 'asc' } }],
      size: limit,
      seq_no_primary_term: true,
      track_total_hits: false,
    }),
  );
  const jobs = marked.hits.hits.map(storedJob).filter((j): j is StoredJob => j !== undefined);
  // Search may be stale: only documents still marked in real time are moved (the delete is conditional anyway).
  const live = await getJobsLive(ctx, 'dead-letter-repair', jobs.map((j) => j.id));
  const current = [...live.values()].filter((j) => j.doc.deadLetter && j.doc.state === JobState.failed);
  const moved = await deadLetter(ctx, current, 'attempts-exhausted');
  const movesFinished = moved.filter((m) => m.status === 'dead').map((m) => m.id);

  const redrivesFinished = await finishRedrives(ctx, limit);
  return { movesFinished, redrivesFinished };
}

async function finishRedrives(ctx: BackendContext, limit: number): Promise<string[]> {
  const res = await ctx.request('dead-letter-repair', () =>
    ctx.client.search({
      index: ctx.names.jobs,
      query: { bool: { filter: [{ term: { redriving: true } }] } },
      sort: [{ jobId: { order: 'asc' } }],
      size: limit,
      track_total_hits: false,
    }),
  );
  const ids = res.hits.hits.map((h) => h._id).filter((id): id is string => id !== undefined);
  const live = await getJobsLive(ctx, 'dead-letter-repair', ids);
  const finished: string[] = [];
  for (const job of live.values()) {
    if (job.doc.redriving !== true) continue;
    await finishRedrive(ctx, job);
    finished.push(job.id);
  }
  return finished;
}
