/**
 * Move schedules past the fires just enqueued, for many schedules at once.
 *
 * Inputs: per schedule, the token it was read at and the new nextFireAt / lastFireAt. Request: one
 * `_bulk` of conditional `update`s (`if_seq_no` + `if_primary_term`) on `<prefix>-schedules`, so a
 * scheduler that read an older version can never move nextFireAt backwards. Outcomes per input, in
 * order: `advanced` (with the new token), `conflict` (another scheduler advanced or the schedule
 * was changed: harmless, its fires are enqueued by id exactly once anyway), `missing` (deleted
 * meanwhile), or `error`.
 */
import type { EsJobsError } from '../errors.js';
import type { ClaimToken } from '../jobs/job.js';
import type { BackendContext } from './context.js';
import { runJobBulk } from './job-bulk.js';

export interface ScheduleAdvance {
  readonly name: string;
  readonly token: ClaimToken;
  readonly nextFireAt: string;
  /** Unchanged when undefined (nothing fired, e.g. misfire policy `skip`). */
  readonly lastFireAt?: string;
  readonly updatedAt: string;
}

export type ScheduleAdvanceOutcome =
  | { readonly status: 'advanced'; readonly token: ClaimToken }
  | { readonly status: 'conflict' | 'missing' | 'error'; readonly error: EsJobsError };

export async function advanceSchedules(ctx: BackendContext, items: readonly ScheduleAdvance[]): Promise<ScheduleAdvanceOutcome[]> {
  if (items.length === 0) return [];
  const outcomes = await runJobBulk(
    ctx,
    'schedule-advance',
    items.map((i) => ({
      kind: 'update' as const,
      index: ctx.names.schedules,
      id: i.name,
      token: i.token,
      doc: { nextFireAt: i.nextFireAt, updatedAt: i.updatedAt, ...(i.lastFireAt === undefined ? {} : { lastFireAt: i.lastFireAt }) },
    })),
  );
  return outcomes.map((o): ScheduleAdvanceOutcome => (o.status === 'ok' ? { status: 'advanced', token: o.token } : { status: o.status, error: o.error }));
}
