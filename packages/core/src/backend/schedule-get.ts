/**
 * Read schedules in real time (GET semantics: a schedule another scheduler just advanced is seen
 * at once, unlike with search).
 *
 * Inputs: schedule names (= document ids). Request: `_mget` on `<prefix>-schedules`. Outcomes: a
 * map name -> document with its seq_no/primary_term; names without a document are absent; a
 * missing index reads as empty.
 */
import type { estypes } from '@elastic/elasticsearch';
import type { ScheduleDocument } from '../indices/schedules.js';
import type { ClaimToken } from '../jobs/job.js';
import type { BackendContext } from './context.js';

/** A schedule with the version it was read at (the token every conditional write presents). */
export interface StoredSchedule {
  readonly doc: ScheduleDocument;
  readonly token: ClaimToken;
}

function isFound(d: estypes.MgetResponseItem): d is estypes.GetGetResult {
  return 'found' in d && d.found;
}

export function isScheduleDocument(value: unknown): value is ScheduleDocument {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v['name'] === 'string' && typeof v['cron'] === 'string' && typeof v['jobName'] === 'string' && typeof v['paused'] === 'boolean';
}

export async function getSchedules(ctx: BackendContext, names: readonly string[]): Promise<Map<string, StoredSchedule>> {
  const out = new Map<string, StoredSchedule>();
  if (names.length === 0) return out;
  const res = await ctx.request('schedule-get', () => ctx.client.mget({ index: ctx.names.schedules, ids: [...new Set(names)] }));
  for (const d of res.docs) {
    if (!isFound(d) || d._seq_no === undefined || d._primary_term === undefined || !isScheduleDocument(d._source)) continue;
    out.set(d._id, { doc: d._source, token: { seqNo: d._seq_no, primaryTerm: d._primary_term } });
  }
  return out;
}
