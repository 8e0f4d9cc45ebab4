/**
 * Shared by the job operations: run one `_bulk` of job writes and read every item, because
 * Elasticsearch answers 200 with per-item failures. Items rejected with 429 were not applied, so
 * they are retried (conditional writes stay safe); everything else is reported per item.
 *
 * Inputs: actions (action line + optional body line each). Request: one `_bulk` (plus retries of
 * rejected items). Outcomes: per action `ok` (new seq_no / primary term), `conflict` (409),
 * `missing` (404: document or index gone), or `error` (mapped esjobs error).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { estypes } from '@elastic/elasticsearch';
import type { EsJobsError } from '../errors.js';
import { mapEsErrorBody } from '../es-error-mapper.js';
import type { BackendContext } from './context.js';
import type { ClaimToken } from '../jobs/job.js';

export type BulkAction =
  | { readonly kind: 'create' | 'index'; readonly index: string; readonly id: string; readonly document: unknown; readonly token?: ClaimToken }
  | { readonly kind: 'update'; readonly index: string; readonly id: string; readonly doc: unknown; readonly token?: ClaimToken }
  | { readonly kind: 'delete'; readonly index: string; readonly id: string; readonly token?: ClaimToken };

export type BulkItemOutcome =
  | { readonly status: 'ok'; readonly token: ClaimToken; readonly result: string }
  | { readonly status: 'conflict'; readonly error: EsJobsError }
  | { readonly status: 'missing'; readonly error: EsJobsError }
  | { readonly status: 'error'; readonly error: EsJobsError };

const REJECTED_RETRIES = 5;
const REJECTED_BASE_DELAY_MS = 20;

function toOperations(actions: readonly BulkAction[]): estypes.BulkRequest['operations'] {
  const ops: unknown[] = [];
  for (const a of actions) {
    const meta: Record<string, unknown> = { _index: a.index, _id: a.id };
    if (a.token !== undefined) {
      meta['if_seq_no'] = a.token.seqNo;
      meta['if_primary_term'] = a.token.primaryTerm;
    }
    ops.push({ [a.kind]: meta });
    if (a.kind === 'update') ops.push({ doc: a.doc });
    else if (a.kind !== 'delete') ops.push(a.document);
  }
  return ops as estypes.BulkRequest['operations'];
}

function classify(op: string, item: estypes.BulkResponseItem | undefined, fallback: ClaimToken | undefined): BulkItemOutcome {
  if (item === undefined) {
    return { status: 'error', error: mapEsErrorBody(undefined, { error: { type: 'missing_bulk_item', reason: 'bulk response lacks this item' } }, { op }) };
  }
  if (item.status >= 200 && item.status < 300 && item.error === undefined) {
    const seqNo = item._seq_no ?? fallback?.seqNo;
    const primaryTerm = item._primary_term ?? fallback?.primaryTerm;
    return { status: 'ok', token: { seqNo: seqNo ?? -1, primaryTerm: primaryTerm ?? -1 }, result: item.result ?? '' };
  }
  const error = mapEsErrorBody(item.status, { error: item.error }, { op });
  if (item.status === 409) return { status: 'conflict', error };
  if (item.status === 404 || item.result === 'not_found') return { status: 'missing', error };
  return { status: 'error', error };
}

/** Run the actions as one bulk; returns one outcome per action, in order. */
export async function runJobBulk(ctx: BackendContext, op: string, actions: readonly BulkAction[]): Promise<BulkItemOutcome[]> {
  const outcomes: (BulkItemOutcome | undefined)[] = new Array<BulkItemOutcome | undefined>(actions.length).fill(undefined);
  let pending = actions.map((_, i) => i);
  for (let round = 0; pending.length > 0; round++) {
    const batch = pending.map((i) => actions[i]).filter((a): a is BulkAction => a !== undefined);
    const res = await ctx.request(op, () => ctx.client.bulk({ operations: toOperations(batch) }));
    const retry: number[] = [];
    pending.forEach((actionIndex, k) => {
      const entry = res.items[k];
      const item = entry === undefined ? undefined : Object.values(entry)[0];
      if (item?.status === 429 && round < REJECTED_RETRIES) {
        retry.push(actionIndex);
        return;
      }
      outcomes[actionIndex] = classify(op, item, actions[actionIndex]?.token);
    });
    if (retry.length > 0) {
      ctx.metrics.backpressureRetries.set(op, (ctx.metrics.backpressureRetries.get(op) ?? 0) + 1);
      // Real time, not ctx.clock: pushback is about the cluster, and a test's manual clock would never wake it.
      await sleep(REJECTED_BASE_DELAY_MS * 2 ** round * (0.5 + Math.random()));
    }
    pending = retry;
  }
  const conflicts = outcomes.filter((o) => o?.status === 'conflict').length;
  if (conflicts > 0) ctx.countConflict(op, conflicts);
  return outcomes.map((o) => o ?? { status: 'error', error: mapEsErrorBody(undefined, { error: { type: 'internal', reason: 'no outcome' } }, { op }) });
}
