/**
 * Create a lock document if there is none.
 *
 * Inputs: document id, the LockDoc of a first acquisition. Request: index with `op_type=create`
 * on `<prefix>-locks`. Outcomes: `{ created: true, seqNo, primaryTerm }`; `{ created: false }`
 * when the document exists (409, counted as a conflict); other failures throw mapped errors.
 */
import { ConflictError } from '../errors.js';
import type { LockDoc } from '../locks/lock-doc.js';
import type { BackendContext } from './context.js';

export type LockCreateResult = { readonly created: true; readonly seqNo: number; readonly primaryTerm: number } | { readonly created: false };

export async function lockCreate(ctx: BackendContext, id: string, doc: LockDoc): Promise<LockCreateResult> {
  try {
    const res = await ctx.request('lock-create', () =>
      ctx.client.index({ index: ctx.names.locks, id, op_type: 'create', document: doc }),
    );
    return { created: true, seqNo: res._seq_no ?? -1, primaryTerm: res._primary_term ?? -1 };
  } catch (err) {
    if (err instanceof ConflictError) return { created: false };
    throw err;
  }
}
