/**
 * List schedules (near-real-time: a schedule written by another process shows up after a refresh).
 *
 * Inputs: `activeOnly` (not paused), a limit, `fresh` (admin listings: refresh the index first so
 * a schedule written a moment ago is listed; never on the fire loop's path). Request: optional
 * `_refresh`, then `_search` on `<prefix>-schedules` with
 * `seq_no_primary_term`, sorted by nextFireAt (missing last) then name. Outcomes: the documents
 * with their tokens; a missing index gives an empty list.
 */
import type { estypes } from '@elastic/elasticsearch';
import { NotFoundError } from '../errors.js';
import type { ScheduleDocument } from '../indices/schedules.js';
import type { BackendContext } from './context.js';
import { isScheduleDocument, type StoredSchedule } from './schedule-get.js';

export interface ScheduleListInput {
  /** @defaultValue false */
  readonly activeOnly?: boolean;
  /** @defaultValue 10000 */
  readonly limit?: number;
  /** @defaultValue false */
  readonly fresh?: boolean;
}

export async function listSchedules(ctx: BackendContext, input: ScheduleListInput = {}): Promise<StoredSchedule[]> {
  const query: estypes.QueryDslQueryContainer = input.activeOnly === true ? { bool: { filter: [{ term: { paused: false } }] } } : { match_all: {} };
  let res: estypes.SearchResponse<ScheduleDocument>;
  try {
    if (input.fresh === true) await ctx.request('schedule-list', () => ctx.client.indices.refresh({ index: ctx.names.schedules }));
    res = await ctx.request('schedule-list', () =>
      ctx.client.search<ScheduleDocument>({
        index: ctx.names.schedules,
        query,
        size: input.limit ?? 10_000,
        seq_no_primary_term: true,
        sort: [{ nextFireAt: { order: 'asc', missing: '_last' } }, { name: { order: 'asc' } }],
        track_total_hits: false,
      }),
    );
  } catch (err) {
    if (err instanceof NotFoundError) return [];
    throw err;
  }
  const out: StoredSchedule[] = [];
  for (const h of res.hits.hits) {
    if (!isScheduleDocument(h._source) || h._seq_no === undefined || h._primary_term === undefined) continue;
    out.push({ doc: h._source, token: { seqNo: h._seq_no, primaryTerm: h._primary_term } });
  }
  return out;
}
