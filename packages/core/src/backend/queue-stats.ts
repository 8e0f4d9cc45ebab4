/**
 * Job counts per queue per state.
 *
 * Inputs: none (all queues). Request: one `_search` (size 0) on `<prefix>-jobs` with a `terms`
 * aggregation on queue → `terms` on state; one for delayed jobs (queued with runAt > now) by
 * queue; one `_search` (size 0) on `<prefix>-dead-*` with `terms` on queue.
 * Counts come from search, so they lag writes by up to one refresh interval.
 * Outcomes: per queue, counts for queued (ready and delayed), delayed, active, completed, failed, dead.
 */
import type { BackendContext } from './context.js';
import { iso } from '../jobs/document.js';
import { JobState } from '../jobs/state.js';

export interface QueueCounts {
  /** All queued jobs, delayed ones included. */
  queued: number;
  /** Queued jobs whose runAt is still in the future. */
  delayed: number;
  active: number;
  completed: number;
  failed: number;
  dead: number;
}

interface Bucket {
  readonly key: string;
  readonly doc_count: number;
}
interface QueueBucket extends Bucket {
  readonly states?: { readonly buckets: readonly Bucket[] };
}

const MAX_QUEUES = 1000;

function empty(): QueueCounts {
  return { queued: 0, delayed: 0, active: 0, completed: 0, failed: 0, dead: 0 };
}

export async function queueStats(ctx: BackendContext): Promise<Record<string, QueueCounts>> {
  const now = ctx.clock.now();
  const live = await ctx.request('queue-stats', () =>
    ctx.client.search({
      index: ctx.names.jobs,
      size: 0,
      track_total_hits: false,
      aggs: { queues: { terms: { field: 'queue', size: MAX_QUEUES }, aggs: { states: { terms: { field: 'state', size: 10 } } } } },
    }),
  );
  // A separate query rather than a `filter` sub-aggregation: fewer aggregation features to rely on.
  const delayed = await ctx.request('queue-stats', () =>
    ctx.client.search({
      index: ctx.names.jobs,
      size: 0,
      track_total_hits: false,
      query: { bool: { filter: [{ term: { state: JobState.queued } }, { range: { runAt: { gt: iso(now) } } }] } },
      aggs: { queues: { terms: { field: 'queue', size: MAX_QUEUES } } },
    }),
  );
  const dead = await ctx.request('queue-stats', () =>
    ctx.client.search({
      index: ctx.names.deadPattern,
      ignore_unavailable: true,
      allow_no_indices: true,
      size: 0,
      track_total_hits: false,
      aggs: { queues: { terms: { field: 'queue', size: MAX_QUEUES } } },
    }),
  );
  const out: Record<string, QueueCounts> = {};
  const liveBuckets = (live.aggregations?.['queues'] as { buckets?: readonly QueueBucket[] } | undefined)?.buckets ?? [];
  for (const b of liveBuckets) {
    const counts = empty();
    for (const s of b.states?.buckets ?? []) {
      if (s.key === 'queued' || s.key === 'active' || s.key === 'completed' || s.key === 'failed') counts[s.key] = s.doc_count;
    }
    out[b.key] = counts;
  }
  const delayedBuckets = (delayed.aggregations?.['queues'] as { buckets?: readonly Bucket[] } | undefined)?.buckets ?? [];
  for (const b of delayedBuckets) {
    const counts = out[b.key] ?? empty();
    counts.delayed = b.doc_count;
    out[b.key] = counts;
  }
  const deadBuckets = (dead.aggregations?.['queues'] as { buckets?: readonly Bucket[] } | undefined)?.buckets ?? [];
  for (const b of deadBuckets) {
    const counts = out[b.key] ?? empty();
    counts.dead = b.doc_count;
    out[b.key] = counts;
  }
  return out;
}
