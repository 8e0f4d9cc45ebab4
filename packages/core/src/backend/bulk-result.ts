/**
 * Inspecting a bulk response. Elasticsearch answers a bulk with HTTP 200 even when items failed,
 * so every item is classified: ok, conflict (409: someone else won), rejected (429: retry later),
 * missing (404: document or index gone), or error (anything else, mapped to an esjobs error).
 * Items come back in request order, one per action.
 */
import type { EsJobsError } from '../errors.js';
import { mapEsErrorBody } from '../es-error-mapper.js';
import type { BackendContext } from './context.js';

export type BulkItemKind = 'ok' | 'conflict' | 'rejected' | 'missing' | 'error';

export interface BulkItemOutcome {
  readonly kind: BulkItemKind;
  /** Position in the request (action order). */
  readonly position: number;
  readonly action: string;
  readonly index: string | undefined;
  readonly id: string | undefined;
  readonly status: number;
  /** `created`, `updated`, `deleted`, `noop`, `not_found` when Elasticsearch says. */
  readonly result: string | undefined;
  readonly seqNo: number | undefined;
  readonly primaryTerm: number | undefined;
  readonly version: number | undefined;
  /** Set for every kind but `ok` (a `missing` delete without error body still gets a NotFoundError). */
  readonly error: EsJobsError | undefined;
  /** The raw item, for callers that need `get._source` of an update and the like. */
  readonly raw: Readonly<Record<string, unknown>>;
}

export interface BulkSummary {
  readonly items: readonly BulkItemOutcome[];
  readonly ok: number;
  readonly conflicts: number;
  readonly rejected: number;
  readonly missing: number;
  readonly errors: number;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' ? v : undefined;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function kindOf(status: number): BulkItemKind {
  if (status >= 200 && status < 300) return 'ok';
  if (status === 409) return 'conflict';
  if (status === 429) return 'rejected';
  if (status === 404) return 'missing';
  return 'error';
}

/** Classify every item of a bulk response (pure; see inspectBulk for the counting variant). */
export function classifyBulkItems(response: unknown, op = 'bulk'): BulkSummary {
  const rawItems = isRecord(response) && Array.isArray(response.items) ? (response.items as unknown[]) : [];
  const items: BulkItemOutcome[] = [];
  const counts = { ok: 0, conflicts: 0, rejected: 0, missing: 0, errors: 0 };
  rawItems.forEach((entry, position) => {
    const action = isRecord(entry) ? Object.keys(entry)[0] : undefined;
    const item = action !== undefined && isRecord(entry) && isRecord(entry[action]) ? (entry[action] as Record<string, unknown>) : {};
    const status = num(item.status) ?? 0;
    const kind = status === 0 ? 'error' : kindOf(status);
    const id = str(item._id);
    const index = str(item._index);
    const error =
      kind === 'ok'
        ? undefined
        : mapEsErrorBody(status, isRecord(item.error) || typeof item.error === 'string' ? { error: item.error } : { _index: index, _id: id }, {
            op: `${op} ${action ?? 'item'} [${id ?? '?'}]`,
          });
    items.push({
      kind,
      position,
      action: action ?? 'unknown',
      index,
      id,
      status,
      result: str(item.result),
      seqNo: num(item._seq_no),
      primaryTerm: num(item._primary_term),
      version: num(item._version),
      error,
      raw: item,
    });
    if (kind === 'ok') counts.ok++;
    else if (kind === 'conflict') counts.conflicts++;
    else if (kind === 'rejected') counts.rejected++;
    else if (kind === 'missing') counts.missing++;
    else counts.errors++;
  });
  return { items, ...counts };
}

/**
 * Classify a bulk response and record its outcome on the context: conflicts in the metrics,
 * per-item 429s as backpressure (shrinking batch-size advisors), the rest as successes.
 */
export function inspectBulk(ctx: Pick<BackendContext, 'countConflict' | 'backpressure'>, op: string, response: unknown): BulkSummary {
  const summary = classifyBulkItems(response, op);
  if (summary.conflicts > 0) ctx.countConflict(op, summary.conflicts);
  if (summary.rejected > 0) ctx.backpressure.recordRejection(summary.rejected, { op, status: 429 });
  return summary;
}
