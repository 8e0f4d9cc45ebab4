/**
 * Shared by the job operations: run one `_bulk` of job writes and read every item, because
 * Elasticsearch answers 200 with per-item failures. Items rejected with 429 were not applied, so
 * they are retried (conditional writes stay safe) after the same jittered wait as a rejected
 * request; each rejection is reported to the backpressure monitor so batch sizes shrink.
 *
 * Inputs: actions (action line + optional body line each). Request: one `_bulk` (plus retries of
 * rejected items). Outcomes: per action `ok` (new seq_no / primary term), `conflict` (409),
 * `missing` (404: document or index gone), or `error` (mapped esjobs error).
 */
import type { estypes } from '@elastic/elasticsearch';
import type { EsJobsError } from '../errors.js';
import { mapEsErrorBody } from '../es-error-mapper.js';
import type { BackendContext } from './context.js';
import type { ClaimToken } from '../jobs/job.js';
import { inspectBulk, type BulkItemOutcome as InspectedItem } from './bulk-result.js';
import { pushbackDelayMs } from './request.js';

export type BulkAction =
  | {
      readonly kind: 'create' | 'index';
      readonly index: string;
      readonly id: string;
      readonly document: unknown;
      /** `document` as JSON text, when the caller has it: the client sends strings verbatim. */
      readonly json?: string;
      readonly token?: ClaimToken;
    }
  | { readonly kind: 'update'; readonly index: string; readonly id: string; readonly doc: unknown; readonly token?: ClaimToken }
  | { readonly kind: 'delete'; readonly index: string; readonly id: string; readonly token?: ClaimToken };

export type BulkItemOutcome =
  | { readonly status: 'ok'; readonly token: ClaimToken; readonly result: string }
  | {
      readonly status: 'conflict';
      readonly error: EsJobsError;
      /**
       * The client resent the bulk after a connection error, so the 409 may be this very write
       * applied by the first attempt (see own-write.ts).
       */
      readonly replayed: boolean;
    }
  | { readonly status: 'missing'; readonly error: EsJobsError }
  | { readonly status: 'error'; readonly error: EsJobsError };

/**
 * The request body as one NDJSON string, built here rather than by the client: action lines from
 * templates, document texts as given, and one join (the client's `+=` leaves a rope that is
 * flattened again when it measures and writes the body).
 */
export function toNdjson(actions: readonly BulkAction[]): string {
  const lines: string[] = [];
  let index: string | undefined;
  let indexJson = '';
  for (const a of actions) {
    if (a.index !== index) {
      index = a.index;
      indexJson = JSON.stringify(a.index);
    }
    const cond = a.token === undefined ? '' : `,"if_seq_no":${JSON.stringify(a.token.seqNo)},"if_primary_term":${JSON.stringify(a.token.primaryTerm)}`;
    lines.push(`{"${a.kind}":{"_index":${indexJson},"_id":${JSON.stringify(a.id)}${cond}}}`);
    if (a.kind === 'update') lines.push(JSON.stringify({ doc: a.doc }));
    else if (a.kind !== 'delete') lines.push(a.json ?? JSON.stringify(a.document));
  }
  lines.push('');
  return lines.join('\n');
}

function noOutcome(op: string, reason: string): BulkItemOutcome {
  return { status: 'error', error: mapEsErrorBody(undefined, { error: { type: 'missing_bulk_item', reason } }, { op }) };
}

function toOutcome(op: string, item: InspectedItem | undefined, fallback: ClaimToken | undefined, replayed: boolean): BulkItemOutcome {
  if (item === undefined) return noOutcome(op, 'bulk response lacks this item');
  if (item.kind === 'ok') {
    return { status: 'ok', token: { seqNo: item.seqNo ?? fallback?.seqNo ?? -1, primaryTerm: item.primaryTerm ?? fallback?.primaryTerm ?? -1 }, result: item.result ?? '' };
  }
  // Only failed items get an error: building one (stack trace included) per ok item cost a third of a bulk's producer time.
  const error = item.error ?? mapEsErrorBody(item.status, {}, { op });
  switch (item.kind) {
    case 'conflict':
      return { status: 'conflict', error, replayed };
    case 'missing':
      return { status: 'missing', error };
    default:
      return { status: 'error', error };
  }
}

/** A conditional partial update of a job: the write behind every transition after enqueue. */
export function jobUpdate(ctx: Pick<BackendContext, 'names'>, id: string, doc: unknown, token: ClaimToken): BulkAction {
  return { kind: 'update', index: ctx.names.jobs, id, doc, token };
}

/** Run the actions as one bulk; returns one outcome per action, in order. */
export async function runJobBulk(ctx: BackendContext, op: string, actions: readonly BulkAction[]): Promise<BulkItemOutcome[]> {
  const outcomes: (BulkItemOutcome | undefined)[] = new Array<BulkItemOutcome | undefined>(actions.length).fill(undefined);
  const options = ctx.backpressure.options;
  let pending = actions.map((_, i) => i);
  for (let attempt = 1; pending.length > 0; attempt++) {
    const batch = pending.map((i) => actions[i]).filter((a): a is BulkAction => a !== undefined);
    // Both clients (8.x, 9.x) send a string body verbatim; their types only know arrays.
    const res = await ctx.request(op, () => ctx.client.bulk({ operations: toNdjson(batch) as unknown as estypes.BulkRequest['operations'] }, { meta: true }));
    const summary = inspectBulk(ctx, op, res.body);
    const replayed = res.meta.attempts > 0;
    const retry: number[] = [];
    pending.forEach((actionIndex, k) => {
      const item = summary.items[k];
      if (item?.kind === 'rejected' && attempt < options.maxAttempts) retry.push(actionIndex);
      else outcomes[actionIndex] = toOutcome(op, item, actions[actionIndex]?.token, replayed);
    });
    if (retry.length > 0) {
      ctx.metrics.backpressureRetries.set(op, (ctx.metrics.backpressureRetries.get(op) ?? 0) + 1);
      await ctx.pushbackClock.sleep(pushbackDelayMs(attempt, options, ctx.random));
    }
    pending = retry;
  }
  return outcomes.map((o) => o ?? noOutcome(op, 'no outcome'));
}
