/**
 * Replace a lock document conditionally: the one write behind takeover, renew and release (and
 * raising the fence of a freshly created document, see locks/lock-manager.ts).
 *
 * Inputs: document id, the seq_no/primary_term read or last written by the caller, the new
 * LockDoc. Request: index with `if_seq_no` + `if_primary_term` on `<prefix>-locks` (no refresh).
 * Outcomes: `{ ok: true, seqNo, primaryTerm }`; `{ ok: false }` on 409 (someone else wrote or
 * deleted it first; counted as a conflict); other failures throw mapped errors.
 */
import { ConflictError } from '../errors.js';
import type { LockDoc } from '../locks/lock-doc.js';
import type { BackendContext } from './context.js';

export type LockReplaceResult = { readonly ok: true; readonly seqNo: number; readonly primaryTerm: number } | { readonly ok: false };

export async function lockReplace(
  ctx: BackendContext,
  op: 'lock-takeover' | 'lock-fence' | 'lock-renew' | 'lock-release',
  id: string,
  expected: { readonly seqNo: number; readonly primaryTerm: number },
  doc: LockDoc,
): Promise<LockReplaceResult> {
  try {
    const res = await ctx.request(op, () =>
      ctx.client.index({
        index: ctx.names.locks,
        id,
        document: doc,
        if_seq_no: expected.seqNo,
        if_primary_term: expected.primaryTerm,
      }),
    );
    return { ok: true, seqNo: res._seq_no ?? -1, primaryTerm: res._primary_term ?? -1 };
  } catch (err) {
    if (err instanceof ConflictError) return { ok: false };
    throw err;
  }
}
