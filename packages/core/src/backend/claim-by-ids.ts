/**
 * Claim specific jobs by id, for same-process wake-ups: a local enqueue hands its new ids to local
 * workers, which claim them without waiting for a refresh.
 *
 * Inputs: ids, queues (without paused ones), job names (empty: any), worker id, lease length.
 * Request: one real-time `_mget`, then one `_bulk` of conditional updates for the ids that are
 * still queued, due, and match. No search. Outcomes: the claimed jobs with their tokens; the rest
 * were not eligible or lost to another claimer (counted as conflicts).
 */
import type { BackendContext } from './context.js';
import type { ClaimedJob } from '../jobs/job.js';
import { JobState } from '../jobs/state.js';
import { toMs } from '../jobs/document.js';
import type { RecentClaims } from '../jobs/recent-claims.js';
import { getJobsLive } from './get-job.js';
import { claimStored } from './claim.js';

export interface ClaimByIdsInput {
  readonly ids: readonly string[];
  readonly queues: readonly string[];
  readonly jobNames: readonly string[];
  readonly workerId: string;
  readonly leaseMs: number;
  readonly recent: RecentClaims;
}

export async function claimByIds(ctx: BackendContext, input: ClaimByIdsInput): Promise<{ jobs: ClaimedJob[]; conflicts: number }> {
  if (input.ids.length === 0 || input.queues.length === 0) return { jobs: [], conflicts: 0 };
  const found = await getJobsLive(ctx, 'claim-by-ids', input.ids);
  const now = ctx.clock.now();
  const eligible = [...found.values()].filter(
    (j) =>
      j.doc.state === JobState.queued &&
      input.queues.includes(j.doc.queue) &&
      (input.jobNames.length === 0 || input.jobNames.includes(j.doc.name)) &&
      (toMs(j.doc.runAt) ?? Number.POSITIVE_INFINITY) <= now,
  );
  eligible.sort((a, b) => b.doc.priority - a.doc.priority || (toMs(a.doc.runAt) ?? 0) - (toMs(b.doc.runAt) ?? 0) || (a.id < b.id ? -1 : 1));
  return claimStored(ctx, 'claim-by-ids', eligible, input.workerId, input.leaseMs, input.recent);
}
