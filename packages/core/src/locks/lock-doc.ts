/**
 * The lock document stored in `<prefix>-locks`, one per resource, and the token that proves
 * ownership of one acquisition.
 *
 * The document is never deleted by esjobs: release marks it free (`owner: null`, `expiresAt` in
 * the past) so the `fence` counter it carries continues across acquisitions.
 */
export interface LockDoc {
  /** The resource name as given (any UTF-8 text). */
  readonly resource: string;
  /** Current holder, or null when free. */
  readonly owner: string | null;
  /** Fencing token of the latest acquisition; strictly increases per resource. */
  readonly fence: number;
  /** When the latest acquisition happened (epoch ms). */
  readonly acquiredAt: number;
  /** Holder's lease end (epoch ms); a lock past it may be taken over. */
  readonly expiresAt: number;
  /** Last write (acquire, renew, release), epoch ms. */
  readonly updatedAt: number;
  readonly releasedAt: number | null;
}

/** A document as read back, with what a conditional write must present. */
export interface VersionedLockDoc {
  readonly doc: LockDoc;
  readonly seqNo: number;
  readonly primaryTerm: number;
}

/** What a holder presents to renew or release. */
export interface LockToken {
  readonly owner: string;
  readonly fence: number;
}

export function isLockDoc(value: unknown): value is LockDoc {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.resource === 'string' &&
    (typeof v.owner === 'string' || v.owner === null) &&
    typeof v.fence === 'number' &&
    typeof v.expiresAt === 'number' &&
    typeof v.acquiredAt === 'number'
  );
}

/** Held by someone at `now`. */
export function isHeld(doc: LockDoc, now: number): boolean {
  return doc.owner !== null && doc.expiresAt > now;
}
