/**
 * When the next delayed job of some queues becomes due, so an idle worker can sleep until then
 * instead of finding it at its next poll.
 *
 * Inputs: queues (without paused ones), job names (empty: any), and the time runAt must be
 * after (default now). Request: one `_search` on
 * `<prefix>-jobs` (`state=queued`, queue/name filters, `runAt > after`; sorted by runAt asc, size 1,
 * no `_source`). Outcomes: the earliest runAt in epoch ms, or undefined when none is waiting.
 * Near-real-time: a job enqueued since the last refresh is not seen (its enqueuer's local wake-up
 * or the next poll finds it). A worker passes the time of its last claim search as `after`: a
 * job that fell due since then comes back as due now, instead of being skipped for the next.
 */
import type { estypes } from '@elastic/elasticsearch';
import type { BackendContext } from './context.js';
import { JobState } from '../jobs/state.js';
import { iso } from '../jobs/document.js';

export interface NextDueInput {
  readonly queues: readonly string[];
  readonly jobNames: readonly string[];
  /** Only jobs due strictly after this (epoch ms). @defaultValue now */
  readonly after?: number;
}

export async function nextDue(ctx: BackendContext, input: NextDueInput): Promise<number | undefined> {
  if (input.queues.length === 0) return undefined;
  const filter: estypes.QueryDslQueryContainer[] = [
    { term: { state: JobState.queued } },
    { terms: { queue: [...input.queues] } },
    { range: { runAt: { gt: iso(input.after ?? ctx.clock.now()) } } },
    ...(input.jobNames.length > 0 ? [{ terms: { name: [...input.jobNames] } }] : []),
  ];
  const res = await ctx.request('next-due', () =>
    ctx.client.search({ index: ctx.names.jobs, query: { bool: { filter } }, sort: [{ runAt: { order: 'asc' } }], size: 1, _source: false, track_total_hits: false }),
  );
  const at = res.hits.hits[0]?.sort?.[0];
  return typeof at === 'number' ? at : undefined;
}
