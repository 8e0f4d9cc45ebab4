/**
 * Give back held queue slots when their jobs stop running.
 *
 * Inputs: the held slots (with tokens). Request: one `_bulk` of conditional `index` writes to
 * `<prefix>-locks` setting owner null and expiresAt now (fence kept). Outcomes per slot: `ok`, or
 * `lost` (already taken over after expiry: nothing to give back), or `error`.
 */
import type { BackendContext } from './context.js';
import type { HeldQueueSlot } from './queue-limit-slots.js';
import { type QueueSlotOutcome, writeSlots } from './queue-limit-renew.js';

export function releaseQueueSlots(ctx: BackendContext, slots: readonly HeldQueueSlot[]): Promise<QueueSlotOutcome[]> {
  return writeSlots(ctx, 'queue-limit-release', slots, null);
}
