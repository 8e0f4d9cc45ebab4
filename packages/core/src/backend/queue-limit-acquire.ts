/**
 * Take free slots of a limited queue.
 *
 * Inputs: queue, its limit N, owner (worker id), how many slots are wanted, slot lease (ms).
 * Request: one real-time `_mget` of the queue's N slot documents in `<prefix>-locks`, then one
 * `_bulk`: `create` for slots never used, conditional `index` (if_seq_no/if_primary_term,
 * fence + 1) for released or expired ones; starting at a random free slot so racing workers
 * spread. Nothing is sent when no slot is free.
 * Outcomes: the slots won, with their tokens; 409 items were won by someone else (counted as
 * conflicts) and are simply not returned.
 */
import { classifyBulkItems } from './bulk-result.js';
import type { BackendContext } from './context.js';
import { lockGet } from './lock-get.js';
import { type HeldQueueSlot, queueSlotId, slotDoc } from './queue-limit-slots.js';

export interface QueueSlotAcquireInput {
  readonly queue: string;
  readonly limit: number;
  readonly owner: string;
  readonly wanted: number;
  readonly leaseMs: number;
}

export async function acquireQueueSlots(ctx: BackendContext, input: QueueSlotAcquireInput): Promise<HeldQueueSlot[]> {
  if (input.wanted <= 0 || input.limit <= 0) return [];
  const ids = Array.from({ length: input.limit }, (_, n) => queueSlotId(input.queue, n));
  const current = await lockGet(ctx, ids);
  const now = ctx.clock.now();
  const free: { slot: number; fence: number; token?: { seqNo: number; primaryTerm: number } }[] = [];
  ids.forEach((id, slot) => {
    const doc = current.get(id);
    if (doc === undefined) free.push({ slot, fence: 1 });
    else if (doc.doc.owner === null || doc.doc.expiresAt <= now) free.push({ slot, fence: doc.doc.fence + 1, token: { seqNo: doc.seqNo, primaryTerm: doc.primaryTerm } });
  });
  if (free.length === 0) return [];
  const start = Math.floor(ctx.random() * free.length);
  const chosen = [...free.slice(start), ...free.slice(0, start)].slice(0, input.wanted);
  const expiresAt = now + input.leaseMs;
  const operations: unknown[] = [];
  for (const c of chosen) {
    const id = queueSlotId(input.queue, c.slot);
    const doc = slotDoc({ queue: input.queue, slot: c.slot, fence: c.fence, acquiredAt: now }, input.owner, expiresAt, now);
    if (c.token === undefined) operations.push({ create: { _index: ctx.names.locks, _id: id } }, doc);
    else operations.push({ index: { _index: ctx.names.locks, _id: id, if_seq_no: c.token.seqNo, if_primary_term: c.token.primaryTerm } }, doc);
  }
  const res = await ctx.request('queue-limit-acquire', () => ctx.client.bulk({ operations }));
  const summary = classifyBulkItems(res, 'queue-limit-acquire');
  if (summary.conflicts > 0) ctx.countConflict('queue-limit-acquire', summary.conflicts);
  const won: HeldQueueSlot[] = [];
  summary.items.forEach((item, i) => {
    const c = chosen[i];
    if (c === undefined || item.kind !== 'ok' || item.seqNo === undefined || item.primaryTerm === undefined) return;
    won.push({
      queue: input.queue,
      slot: c.slot,
      id: queueSlotId(input.queue, c.slot),
      owner: input.owner,
      fence: c.fence,
      acquiredAt: now,
      expiresAt,
      seqNo: item.seqNo,
      primaryTerm: item.primaryTerm,
    });
  });
  // Anything but ok/409 (e.g. a missing index) is a real failure: give back what we won first.
  const failed = summary.items.find((i) => i.kind === 'error' || i.kind === 'missing' || i.kind === 'rejected');
  if (failed?.error !== undefined && won.length === 0) throw failed.error;
  return won;
}
