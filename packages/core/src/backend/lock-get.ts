/**
 * Read lock documents in real time (GET semantics, unaffected by refresh).
 *
 * Inputs: document ids. Request: `_mget` on `<prefix>-locks`. Outcomes: a map id -> document
 * with its seq_no/primary_term; ids without a document are absent. A missing index throws
 * (NotFoundError), like any other failure.
 */
import type { estypes } from '@elastic/elasticsearch';
import { ElasticsearchError, NotFoundError } from '../errors.js';
import { isLockDoc, type VersionedLockDoc } from '../locks/lock-doc.js';
import type { BackendContext } from './context.js';

function isFound(d: estypes.MgetResponseItem): d is estypes.GetGetResult {
  return 'found' in d && d.found;
}

export async function lockGet(ctx: BackendContext, ids: readonly string[]): Promise<Map<string, VersionedLockDoc>> {
  const out = new Map<string, VersionedLockDoc>();
  if (ids.length === 0) return out;
  const res = await ctx.request('lock-get', () => ctx.client.mget({ index: ctx.names.locks, ids: [...new Set(ids)] }));
  for (const d of res.docs) {
    if ('error' in d && d.error !== undefined) {
      const text = `lock-get: ${d.error.type}: ${d.error.reason ?? ''}`;
      throw d.error.type === 'index_not_found_exception' ? new NotFoundError(text) : new ElasticsearchError(text, undefined, d.error.type);
    }
    if (!isFound(d) || d._seq_no === undefined || d._primary_term === undefined || !isLockDoc(d._source)) continue;
    out.set(d._id, { doc: d._source, seqNo: d._seq_no, primaryTerm: d._primary_term });
  }
  return out;
}
