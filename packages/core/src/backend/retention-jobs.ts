/**
 * Retention of finished jobs in `<prefix>-jobs`: by age and/or by count per queue.
 *
 * Inputs: the final state (`completed` or `failed`), `finishedBefore` (epoch ms: older ones go),
 * `keepPerQueue` (newest N per queue stay; at most 9999 because it is a `from` offset). Requests:
 * by age, one `_delete_by_query` for `state AND finishedAt < cutoff`; by count, a `terms`
 * aggregation on queue, then per queue over the limit a `_search` for the (N+1)-th newest
 * (sorted finishedAt desc, jobId asc: unique) and a `_delete_by_query` of it and everything after it
 * in that order. All with `conflicts=proceed`: a job that changed since the snapshot is skipped
 * (finished jobs do not change, so this only matters for manual edits). Searches are
 * near-real-time, so a job finished in the last refresh interval is never counted, never deleted.
 * Outcomes: the number of documents deleted.
 */
import type { estypes } from '@elastic/elasticsearch';
import { NotFoundError } from '../errors.js';
import type { BackendContext } from './context.js';

export interface JobsRetentionInput {
  readonly state: 'completed' | 'failed';
  readonly finishedBefore?: number;
  readonly keepPerQueue?: number;
}

const MAX_QUEUES = 1000;

async function deleteWhere(ctx: BackendContext, filter: estypes.QueryDslQueryContainer[]): Promise<number> {
  const res = await ctx.request('retention-jobs', () =>
    ctx.client.deleteByQuery({ index: ctx.names.jobs, query: { bool: { filter } }, conflicts: 'proceed', wait_for_completion: true }),
  );
  return res.deleted ?? 0;
}

async function trimQueue(ctx: BackendContext, state: string, queue: string, keep: number): Promise<number> {
  const base: estypes.QueryDslQueryContainer[] = [{ term: { state } }, { term: { queue } }];
  const res = await ctx.request('retention-jobs', () =>
    ctx.client.search<{ finishedAt?: string; jobId?: string }>({
      index: ctx.names.jobs,
      query: { bool: { filter: [...base, { exists: { field: 'finishedAt' } }] } },
      sort: [{ finishedAt: { order: 'desc' } }, { jobId: { order: 'asc' } }],
      from: keep,
      size: 1,
      _source: ['finishedAt', 'jobId'],
      track_total_hits: false,
    }),
  );
  const first = res.hits.hits[0]?._source;
  if (first?.finishedAt === undefined || first.jobId === undefined) return 0;
  const cutoff = first.finishedAt;
  return deleteWhere(ctx, [
    ...base,
    {
      bool: {
        should: [
          { range: { finishedAt: { lt: cutoff } } },
          { bool: { filter: [{ term: { finishedAt: cutoff } }, { range: { jobId: { gte: first.jobId } } }] } },
        ],
        minimum_should_match: 1,
      },
    },
  ]);
}

export async function retainJobs(ctx: BackendContext, input: JobsRetentionInput): Promise<number> {
  let deleted = 0;
  try {
    if (input.finishedBefore !== undefined) {
      deleted += await deleteWhere(ctx, [{ term: { state: input.state } }, { range: { finishedAt: { lt: new Date(input.finishedBefore).toISOString() } } }]);
    }
    const keep = input.keepPerQueue;
    if (keep !== undefined) {
      const res = await ctx.request('retention-jobs', () =>
        ctx.client.search({
          index: ctx.names.jobs,
          size: 0,
          query: { term: { state: input.state } },
          aggs: { queues: { terms: { field: 'queue', size: MAX_QUEUES } } },
          track_total_hits: false,
        }),
      );
      const buckets = (res.aggregations?.['queues'] as { buckets?: readonly { key: string; doc_count: number }[] } | undefined)?.buckets ?? [];
      for (const b of buckets) {
        if (b.doc_count > keep) deleted += await trimQueue(ctx, input.state, b.key, keep);
      }
    }
  } catch (err) {
    if (err instanceof NotFoundError && /index_not_found/u.test(err.message)) return deleted;
    throw err;
  }
  return deleted;
}
