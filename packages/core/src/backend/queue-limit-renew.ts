/**
 * Extend held queue slots (the slot counterpart of the job heartbeat).
 *
 * Inputs: the held slots (with tokens), the new lease (ms). Request: one `_bulk` of conditional
 * `index` writes to `<prefix>-locks` keeping the owner and moving expiresAt (release.ts shares
 * the writer and sets owner null instead; the fence stays so the next taker continues the count).
 * Outcomes per slot, in order: `ok` with the new token, `lost` (409/404: the slot expired and was
 * taken over — the caller must stop the job it covers), or `error`.
 */
import { classifyBulkItems } from './bulk-result.js';
import type { BackendContext } from './context.js';
import { type HeldQueueSlot, slotDoc } from './queue-limit-slots.js';

export type QueueSlotOutcome = { readonly status: 'ok'; readonly slot: HeldQueueSlot } | { readonly status: 'lost' | 'error'; readonly slot: HeldQueueSlot; readonly reason: string };

export async function writeSlots(ctx: BackendContext, op: string, slots: readonly HeldQueueSlot[], leaseMs: number | null): Promise<QueueSlotOutcome[]> {
  if (slots.length === 0) return [];
  const now = ctx.clock.now();
  const operations: unknown[] = [];
  const next = slots.map((s) => ({ ...s, expiresAt: leaseMs === null ? now : now + leaseMs }));
  for (const s of next) {
    operations.push(
      { index: { _index: ctx.names.locks, _id: s.id, if_seq_no: s.seqNo, if_primary_term: s.primaryTerm } },
      slotDoc(s, leaseMs === null ? null : s.owner, s.expiresAt, now),
    );
  }
  const res = await ctx.request(op, () => ctx.client.bulk({ operations }));
  const summary = classifyBulkItems(res, op);
  if (summary.conflicts > 0) ctx.countConflict(op, summary.conflicts);
  return next.map((s, i): QueueSlotOutcome => {
    const item = summary.items[i];
    if (item?.kind === 'ok' && item.seqNo !== undefined && item.primaryTerm !== undefined) {
      return { status: 'ok', slot: { ...s, seqNo: item.seqNo, primaryTerm: item.primaryTerm } };
    }
    if (item?.kind === 'conflict' || item?.kind === 'missing') return { status: 'lost', slot: s, reason: 'the slot expired and was taken over' };
    return { status: 'error', slot: s, reason: item?.error?.message ?? 'no outcome for the write' };
  });
}

export function renewQueueSlots(ctx: BackendContext, slots: readonly HeldQueueSlot[], leaseMs: number): Promise<QueueSlotOutcome[]> {
  return writeSlots(ctx, 'queue-limit-renew', slots, leaseMs);
}
