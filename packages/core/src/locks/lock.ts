/**
 * A held lock: the handle `acquire` returns. Renew and release are conditional writes on the
 * seq_no/primary_term of this holder's last write, so they fail once anyone else has written the
 * document (takeover after expiry, forced release), whatever the local clock says.
 */
import type { BackendContext } from '../backend/context.js';
import { lockGet } from '../backend/lock-get.js';
import { lockReplace } from '../backend/lock-replace.js';
import { LockLostError, ValidationError } from '../errors.js';
import type { EventBus } from '../events/event-bus.js';
import { parseDuration, type Duration } from '../duration.js';
import type { LockDoc, LockToken } from './lock-doc.js';

export interface LockState {
  readonly resource: string;
  readonly id: string;
  readonly owner: string;
  readonly fence: number;
  readonly ttlMs: number;
  readonly acquiredAt: number;
  readonly expiresAt: number;
  readonly seqNo: number;
  readonly primaryTerm: number;
}

export class Lock {
  readonly resource: string;
  readonly owner: string;
  /** Fencing token: strictly greater than every earlier acquisition's of this resource. */
  readonly fence: number;
  readonly acquiredAt: number;
  /** Document id in `<prefix>-locks`. */
  readonly id: string;
  readonly ttlMs: number;
  private expires: number;
  private seqNo: number;
  private primaryTerm: number;
  private state: 'held' | 'released' | 'lost' = 'held';

  constructor(
    private readonly ctx: BackendContext,
    private readonly bus: EventBus | undefined,
    init: LockState,
  ) {
    this.resource = init.resource;
    this.id = init.id;
    this.owner = init.owner;
    this.fence = init.fence;
    this.ttlMs = init.ttlMs;
    this.acquiredAt = init.acquiredAt;
    this.expires = init.expiresAt;
    this.seqNo = init.seqNo;
    this.primaryTerm = init.primaryTerm;
  }

  /** End of the current lease (epoch ms) as last written by this holder. */
  get expiresAt(): number {
    return this.expires;
  }

  get token(): LockToken {
    return { owner: this.owner, fence: this.fence };
  }

  /** `held` until released or found lost (the local clock alone never changes it). */
  get status(): 'held' | 'released' | 'lost' {
    return this.state;
  }

  /**
   * Extend the lease to now + ttl (default: the acquisition's ttl). Throws LockLostError when
   * someone else has written the lock since (taken over after expiry, force-released), or when
   * this handle was already released.
   */
  async renew(ttl?: Duration): Promise<void> {
    const ttlMs = ttl === undefined ? this.ttlMs : parseDuration('ttl', ttl);
    if (this.state === 'released') throw new LockLostError(this.resource, 'already released by this holder');
    if (this.state === 'lost') throw new LockLostError(this.resource, 'lost earlier');
    const now = this.ctx.clock.now();
    const doc = this.doc({ expiresAt: now + ttlMs, updatedAt: now });
    await this.write('lock-renew', doc);
    this.expires = doc.expiresAt;
    this.bus?.emit('lock:renewed', { at: now, resource: this.resource, owner: this.owner, fence: this.fence, expiresAt: doc.expiresAt });
  }

  /**
   * Mark the lock free, keeping its fence counter. Releasing twice is a no-op; releasing a lock
   * that was lost throws LockLostError (the caller's critical section was not exclusive).
   */
  async release(): Promise<void> {
    if (this.state === 'released') return;
    if (this.state === 'lost') throw new LockLostError(this.resource, 'lost before release');
    const now = this.ctx.clock.now();
    await this.write('lock-release', this.doc({ owner: null, expiresAt: now, updatedAt: now, releasedAt: now }));
    this.state = 'released';
    this.bus?.emit('lock:released', { at: now, resource: this.resource, owner: this.owner, fence: this.fence });
  }

  /** Record a loss noticed elsewhere (withLock's renewal loop when renewals keep failing). */
  markLost(reason: string): LockLostError {
    const err = new LockLostError(this.resource, reason);
    if (this.state === 'held') {
      this.state = 'lost';
      this.bus?.emit('lock:lost', { at: this.ctx.clock.now(), resource: this.resource, owner: this.owner, fence: this.fence, reason });
    }
    return err;
  }

  private doc(changes: Partial<LockDoc>): LockDoc {
    return {
      resource: this.resource,
      owner: this.owner,
      fence: this.fence,
      acquiredAt: this.acquiredAt,
      expiresAt: this.expires,
      updatedAt: this.ctx.clock.now(),
      releasedAt: null,
      ...changes,
    };
  }

  /**
   * Conditional write; on conflict, re-read: if the document still carries this acquisition
   * (same owner and fence, e.g. our own earlier write whose response was lost), retry on its
   * current seq_no; otherwise the lock is lost.
   */
  private async write(op: 'lock-renew' | 'lock-release', doc: LockDoc): Promise<void> {
    for (let tries = 0; tries < 3; tries++) {
      const res = await lockReplace(this.ctx, op, this.id, { seqNo: this.seqNo, primaryTerm: this.primaryTerm }, doc);
      if (res.ok) {
        this.seqNo = res.seqNo;
        this.primaryTerm = res.primaryTerm;
        return;
      }
      const current = (await lockGet(this.ctx, [this.id])).get(this.id);
      if (current === undefined) throw this.markLost('lock document was deleted');
      if (current.doc.fence !== this.fence || (current.doc.owner !== this.owner && current.doc.owner !== null)) {
        throw this.markLost(`taken over by ${JSON.stringify(current.doc.owner)} with fence ${current.doc.fence}`);
      }
      if (current.doc.owner === null) {
        // Same fence, no owner: freed by someone else (forced release) unless it was our own release.
        if (op === 'lock-release' && current.doc.releasedAt !== null) {
          this.seqNo = current.seqNo;
          this.primaryTerm = current.primaryTerm;
          return;
        }
        throw this.markLost('released by someone else');
      }
      this.seqNo = current.seqNo;
      this.primaryTerm = current.primaryTerm;
    }
    throw this.markLost('lock document keeps changing under this holder');
  }
}

export function assertFence(value: unknown, field = 'fence'): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) throw new ValidationError(field, value, 'must be a positive integer');
  return value;
}
