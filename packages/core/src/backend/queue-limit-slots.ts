/**
 * Cluster-wide per-queue concurrency limits: shared vocabulary of the queue-limit operations.
 *
 * A queue limited to N has N slot documents, stored as lock documents in `<prefix>-locks`
 * (resource `esjobs:queue-slot:<queue>:<n>`, n < N), so admins see them with the locks and their
 * fence counts acquisitions. A worker holds one slot per running job of the queue, with an expiry
 * equal to the job lease, renewed with the job heartbeats. Every take, renewal and release is a
 * conditional write, so two workers can never hold the same slot and the number of holders never
 * exceeds N whatever the race.
 */
import type { LockDoc } from '../locks/lock-doc.js';
import { lockDocId } from '../locks/resource-id.js';

export function queueSlotResource(queue: string, slot: number): string {
  return `esjobs:queue-slot:${queue}:${slot}`;
}

export function queueSlotId(queue: string, slot: number): string {
  return lockDocId(queueSlotResource(queue, slot));
}

/** A slot this worker holds: present its token to renew or release it. */
export interface HeldQueueSlot {
  readonly queue: string;
  readonly slot: number;
  readonly id: string;
  readonly owner: string;
  readonly fence: number;
  readonly acquiredAt: number;
  readonly expiresAt: number;
  readonly seqNo: number;
  readonly primaryTerm: number;
}

export function slotDoc(slot: Pick<HeldQueueSlot, 'queue' | 'slot' | 'fence' | 'acquiredAt'>, owner: string | null, expiresAt: number, now: number): LockDoc {
  return {
    resource: queueSlotResource(slot.queue, slot.slot),
    owner,
    fence: slot.fence,
    acquiredAt: slot.acquiredAt,
    expiresAt,
    updatedAt: now,
    releasedAt: owner === null ? now : null,
  };
}
