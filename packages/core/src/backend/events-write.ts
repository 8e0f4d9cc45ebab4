/**
 * Write a batch of events.
 *
 * Inputs: EventDocs (ids `<origin>:<seq>`). Request: one `_bulk` of `create` actions on
 * `<prefix>-events`, no refresh. Outcomes per event: `written` (created, or 409: an earlier try
 * already wrote it), `retry` (429 / 5xx item: write again later) or `failed` (anything else, e.g.
 * a mapping error: never going to succeed). A failed request as a whole throws.
 */
import { classifyBulkItems } from './bulk-result.js';
import type { BackendContext } from './context.js';
import type { EventDoc } from '../events/event-doc.js';

export interface EventsWriteResult {
  readonly written: readonly EventDoc[];
  readonly retry: readonly EventDoc[];
  readonly failed: readonly { readonly doc: EventDoc; readonly error: Error }[];
}

export async function eventsWrite(ctx: BackendContext, docs: readonly EventDoc[]): Promise<EventsWriteResult> {
  if (docs.length === 0) return { written: [], retry: [], failed: [] };
  const operations: unknown[] = [];
  for (const d of docs) operations.push({ create: { _index: ctx.names.events, _id: d.eventId } }, d);
  const res = await ctx.request('events-write', () => ctx.client.bulk({ operations }));
  const summary = classifyBulkItems(res, 'events-write');
  const written: EventDoc[] = [];
  const retry: EventDoc[] = [];
  const failed: { doc: EventDoc; error: Error }[] = [];
  docs.forEach((doc, i) => {
    const item = summary.items[i];
    if (item === undefined) retry.push(doc);
    else if (item.kind === 'ok' || item.kind === 'conflict') written.push(doc);
    else if (item.kind === 'rejected' || item.status >= 500) retry.push(doc);
    else failed.push({ doc, error: item.error ?? new Error(`events-write: item status ${item.status}`) });
  });
  return { written, retry, failed };
}
