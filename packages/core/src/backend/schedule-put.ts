/**
 * Write one schedule document: create it, or replace the version the caller read.
 *
 * Inputs: the document (id = its name) and either `create` or the token read with it. Request:
 * `index` with `op_type=create`, or with `if_seq_no` + `if_primary_term`, on `<prefix>-schedules`
 * (no refresh). Outcomes: `{ ok: true, token }`, or `{ ok: false }` on 409 (another writer was
 * first: read again and decide again; counted as a conflict). Other failures throw mapped errors.
 */
import { ConflictError } from '../errors.js';
import type { ScheduleDocument } from '../indices/schedules.js';
import type { ClaimToken } from '../jobs/job.js';
import type { BackendContext } from './context.js';

export type SchedulePutResult = { readonly ok: true; readonly token: ClaimToken } | { readonly ok: false };

export async function putSchedule(ctx: BackendContext, doc: ScheduleDocument, expected: ClaimToken | 'create'): Promise<SchedulePutResult> {
  try {
    const res = await ctx.request('schedule-put', () =>
      ctx.client.index({
        index: ctx.names.schedules,
        id: doc.name,
        document: doc,
        ...(expected === 'create' ? { op_type: 'create' as const } : { if_seq_no: expected.seqNo, if_primary_term: expected.primaryTerm }),
      }),
    );
    return { ok: true, token: { seqNo: res._seq_no ?? -1, primaryTerm: res._primary_term ?? -1 } };
  } catch (err) {
    if (err instanceof ConflictError) return { ok: false };
    throw err;
  }
}
