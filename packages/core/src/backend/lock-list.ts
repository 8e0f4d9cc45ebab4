/**
 * List lock documents for the admin CLI (near-real-time: a lock taken in the last refresh
 * interval may be missing).
 *
 * Inputs: optional resource prefix, `heldAt` (only locks held at that time), page size.
 * Request: `_search` on `<prefix>-locks` sorted by `resource` (unique per document), paged with
 * `search_after`, `seq_no_primary_term: true`. Outcomes: every matching document; a missing
 * index yields an empty list.
 */
import type { estypes } from '@elastic/elasticsearch';
import { NotFoundError } from '../errors.js';
import { isLockDoc, type VersionedLockDoc } from '../locks/lock-doc.js';
import type { BackendContext } from './context.js';

export interface LockListInput {
  readonly resourcePrefix?: string;
  /** Only locks with an owner and `expiresAt > heldAt`. */
  readonly heldAt?: number;
  readonly pageSize?: number;
  /** Stop after this many. */
  readonly limit?: number;
}

export async function lockList(ctx: BackendContext, input: LockListInput = {}): Promise<VersionedLockDoc[]> {
  const filter: estypes.QueryDslQueryContainer[] = [];
  if (input.resourcePrefix !== undefined && input.resourcePrefix !== '') filter.push({ prefix: { resource: input.resourcePrefix } });
  if (input.heldAt !== undefined) {
    filter.push({ exists: { field: 'owner' } }, { range: { expiresAt: { gt: input.heldAt } } });
  }
  const size = input.pageSize ?? 500;
  const limit = input.limit ?? Number.POSITIVE_INFINITY;
  const out: VersionedLockDoc[] = [];
  let after: estypes.SortResults | undefined;
  try {
    while (out.length < limit) {
      const res = await ctx.request('lock-list', () =>
        ctx.client.search({
          index: ctx.names.locks,
          query: { bool: { filter } },
          sort: [{ resource: 'asc' }],
          size,
          seq_no_primary_term: true,
          track_total_hits: false,
          ...(after === undefined ? {} : { search_after: after }),
        }),
      );
      const hits = res.hits.hits;
      for (const h of hits) {
        if (h._seq_no === undefined || h._primary_term === undefined || !isLockDoc(h._source)) continue;
        out.push({ doc: h._source, seqNo: h._seq_no, primaryTerm: h._primary_term });
      }
      const last = hits[hits.length - 1];
      if (hits.length < size || last?.sort === undefined) break;
      after = last.sort;
    }
  } catch (err) {
    if (err instanceof NotFoundError && /index_not_found/u.test(err.message)) return [];
    throw err;
  }
  return out.slice(0, limit);
}
