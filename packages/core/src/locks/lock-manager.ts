/**
 * Distributed locks on `<prefix>-locks`.
 *
 * acquire: create the document (`op_type=create`, fence 1, see Fences). On 409 read it in real time; if it is
 * free (released or expired by the Clock) take it over with a conditional write carrying
 * `fence + 1`; otherwise wait with jittered exponential backoff (never past the holder's expiry
 * or the caller's deadline) and read again.
 *
 * Fences: the counter lives in the document, which esjobs never deletes (release and
 * forceRelease mark it free), so every acquisition continues the sequence. Every acquisition is a
 * conditional write on the seq_no it read, so two parties can never write the same fence + 1;
 * create-vs-create is settled by `op_type=create`. Each acquisition is also one write to the
 * document, so a fence never exceeds its acquiring write's `_seq_no` + 1; `_seq_no` keeps growing
 * across deletes (it is per shard, and a document id always lives in the same shard). A create
 * that lands at seq_no s > 0 may therefore follow a document deleted by hand, and raises its fence
 * to s + 1 with one more conditional write: strictly above any fence handed out before. (Deleting
 * the whole locks index resets `_seq_no` and with it that guarantee.)
 *
 * Expiry is judged by the acquirer's Clock; clocks of processes must agree to within a small
 * fraction of the ttl, as with any lease.
 */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { BackendContext } from '../backend/context.js';
import type { Clock } from '../clock.js';
import { lockCreate } from '../backend/lock-create.js';
import { lockGet } from '../backend/lock-get.js';
import { lockList, type LockListInput } from '../backend/lock-list.js';
import { lockReplace } from '../backend/lock-replace.js';
import { LockNotOwnerError, LockTimeoutError, ValidationError } from '../errors.js';
import type { EventBus } from '../events/event-bus.js';
import { Lock, assertFence } from './lock.js';
import { isHeld, type LockDoc, type LockToken, type VersionedLockDoc } from './lock-doc.js';
import { validateOwner, withLockDefaults, type LockOptions, type ResolvedLockOptions } from './lock-options.js';
import { lockDocId, validateResource } from './resource-id.js';
import { runWithLock, type WithLockFn } from './with-lock.js';

export interface LockManagerOptions {
  readonly ctx: BackendContext;
  /**
   * Where lock events go.
   * @defaultValue none
   */
  readonly bus?: EventBus;
  /**
   * Owner id for acquisitions that do not name one.
   * @defaultValue `<host>:<pid>:<random>`
   */
  readonly owner?: string;
  /**
   * Random numbers in [0, 1) for backoff jitter.
   * @defaultValue Math.random
   */
  readonly random?: () => number;
}

/** A lock as listed for admins. */
export interface LockInfo {
  readonly resource: string;
  readonly id: string;
  readonly owner: string | null;
  readonly fence: number;
  readonly acquiredAt: number;
  readonly expiresAt: number;
  readonly releasedAt: number | null;
  /** Held at the time of listing (owner set and not expired by the lister's clock). */
  readonly held: boolean;
}

export interface ListLocksOptions {
  readonly resourcePrefix?: string;
  /** Only locks held now. */
  readonly heldOnly?: boolean;
  readonly limit?: number;
}

export function defaultLockOwner(): string {
  return `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
}

export class LockManager {
  readonly owner: string;
  private readonly ctx: BackendContext;
  private readonly bus: EventBus | undefined;
  private readonly random: () => number;

  constructor(options: LockManagerOptions) {
    this.ctx = options.ctx;
    this.bus = options.bus;
    this.owner = validateOwner(options.owner ?? defaultLockOwner(), 'owner');
    this.random = options.random ?? Math.random;
  }

  get clock(): Clock {
    return this.ctx.clock;
  }

  /** Acquire `resource`, waiting up to `wait`; throws LockTimeoutError when it stays held. */
  async acquire(resource: string, options?: LockOptions): Promise<Lock> {
    validateResource(resource);
    const o = withLockDefaults(options, this.owner);
    const id = lockDocId(resource);
    const clock = this.ctx.clock;
    const start = clock.now();
    const deadline = start + o.waitMs;
    let mayBeAbsent = true;
    for (let round = 0; ; round++) {
      o.signal?.throwIfAborted();
      if (mayBeAbsent) {
        const now = clock.now();
        const doc = this.newDoc(resource, o, 1, now);
        const created = await lockCreate(this.ctx, id, doc);
        mayBeAbsent = false;
        if (created.created) {
          const fence = created.seqNo + 1;
          if (fence <= doc.fence) return this.held(id, doc, created, o, { takeover: false, waitedMs: now - start });
          const raised = { ...doc, fence };
          const res = await lockReplace(this.ctx, 'lock-fence', id, created, raised);
          if (res.ok) return this.held(id, raised, res, o, { takeover: false, waitedMs: now - start });
          // Someone wrote or deleted it in between (an admin): start over from a real-time read.
          continue;
        }
      }
      const current = (await lockGet(this.ctx, [id])).get(id);
      if (current === undefined) {
        mayBeAbsent = true;
        continue;
      }
      const now = clock.now();
      if (!isHeld(current.doc, now)) {
        const doc = this.newDoc(resource, o, current.doc.fence + 1, now);
        const res = await lockReplace(this.ctx, 'lock-takeover', id, current, doc);
        if (res.ok) return this.held(id, doc, res, o, { takeover: current.doc.owner !== null, waitedMs: now - start });
        // Someone else wrote first; read again unless out of time.
        if (clock.now() >= deadline) throw new LockTimeoutError(resource, clock.now() - start);
        continue;
      }
      if (now >= deadline) throw new LockTimeoutError(resource, now - start);
      const backoff = Math.min(o.retryMaxMs, o.retryMinMs * 2 ** Math.min(round, 16));
      const jittered = backoff / 2 + (this.random() * backoff) / 2;
      // Wake at the holder's expiry at the latest, and never sleep past the deadline.
      const delay = Math.max(1, Math.min(jittered, current.doc.expiresAt - now + 1, deadline - now));
      await clock.sleep(Math.ceil(delay), o.signal);
    }
  }

  /** Acquire without waiting; null when held by someone else. */
  async tryAcquire(resource: string, options?: Omit<LockOptions, 'wait' | 'waitMs'>): Promise<Lock | null> {
    try {
      return await this.acquire(resource, { ...options, waitMs: 0 });
    } catch (err) {
      if (err instanceof LockTimeoutError) return null;
      throw err;
    }
  }

  /**
   * Run `fn` holding the lock: renews every `renewEveryMs` (default ttl/3), aborts `fn`'s signal
   * and emits `lock:lost` if the lock is lost, always releases. Rejects with LockLostError when
   * the lock was lost during `fn`.
   */
  withLock<T>(resource: string, options: LockOptions | undefined, fn: WithLockFn<T>): Promise<T> {
    return runWithLock(this, resource, withLockDefaults(options, this.owner), options, fn);
  }

  /**
   * Release on behalf of a holder identified by its token (e.g. from another process that knows
   * owner and fence). Rejects with LockNotOwnerError unless the document carries exactly that
   * owner and fence and is not free.
   */
  async release(resource: string, token: LockToken): Promise<void> {
    validateResource(resource);
    validateOwner(token.owner, 'token.owner');
    assertFence(token.fence, 'token.fence');
    const id = lockDocId(resource);
    for (;;) {
      const current = (await lockGet(this.ctx, [id])).get(id);
      if (current === undefined) throw new LockNotOwnerError(resource, 'there is no such lock');
      const d = current.doc;
      if (d.owner !== token.owner || d.fence !== token.fence) {
        throw new LockNotOwnerError(resource, `held by ${JSON.stringify(d.owner)} with fence ${d.fence}, not ${JSON.stringify(token.owner)} with fence ${token.fence}`);
      }
      const now = this.ctx.clock.now();
      const res = await lockReplace(this.ctx, 'lock-release', id, current, { ...d, owner: null, expiresAt: now, updatedAt: now, releasedAt: now });
      if (res.ok) {
        this.bus?.emit('lock:released', { at: now, resource, owner: token.owner, fence: token.fence });
        return;
      }
    }
  }

  /**
   * Admin: free a lock whoever holds it, keeping the fence counter. The holder finds out at its
   * next renew or release (LockLostError). Returns the document as it was, or null if none.
   */
  async forceRelease(resource: string): Promise<LockInfo | null> {
    validateResource(resource);
    const id = lockDocId(resource);
    for (;;) {
      const current = (await lockGet(this.ctx, [id])).get(id);
      if (current === undefined) return null;
      const now = this.ctx.clock.now();
      if (current.doc.owner === null) return this.info(id, current, now);
      const res = await lockReplace(this.ctx, 'lock-release', id, current, { ...current.doc, owner: null, expiresAt: now, updatedAt: now, releasedAt: now });
      if (res.ok) {
        this.bus?.emit('lock:lost', { at: now, resource, owner: current.doc.owner, fence: current.doc.fence, reason: 'force-released by an admin' });
        return this.info(id, current, now);
      }
    }
  }

  /** Real-time view of one lock, or null when it was never taken. */
  async inspect(resource: string): Promise<LockInfo | null> {
    validateResource(resource);
    const id = lockDocId(resource);
    const current = (await lockGet(this.ctx, [id])).get(id);
    return current === undefined ? null : this.info(id, current, this.ctx.clock.now());
  }

  /** Locks for the admin CLI, sorted by resource (near-real-time). */
  async listLocks(options: ListLocksOptions = {}): Promise<LockInfo[]> {
    if (options.resourcePrefix !== undefined && typeof options.resourcePrefix !== 'string') {
      throw new ValidationError('resourcePrefix', options.resourcePrefix, 'must be a string');
    }
    if (options.limit !== undefined && (!Number.isSafeInteger(options.limit) || options.limit < 1)) {
      throw new ValidationError('limit', options.limit, 'must be a positive integer');
    }
    const now = this.ctx.clock.now();
    const input: LockListInput = {
      ...(options.resourcePrefix === undefined ? {} : { resourcePrefix: options.resourcePrefix }),
      ...(options.heldOnly === true ? { heldAt: now } : {}),
      ...(options.limit === undefined ? {} : { limit: options.limit }),
    };
    const docs = await lockList(this.ctx, input);
    return docs.map((d) => this.info(lockDocId(d.doc.resource), d, now));
  }

  private newDoc(resource: string, o: ResolvedLockOptions, fence: number, now: number): LockDoc {
    return { resource, owner: o.owner, fence, acquiredAt: now, expiresAt: now + o.ttlMs, updatedAt: now, releasedAt: null };
  }

  private held(
    id: string,
    doc: LockDoc,
    written: { readonly seqNo: number; readonly primaryTerm: number },
    o: ResolvedLockOptions,
    how: { readonly takeover: boolean; readonly waitedMs: number },
  ): Lock {
    const owner = doc.owner ?? o.owner;
    const lock = new Lock(this.ctx, this.bus, {
      resource: doc.resource,
      id,
      owner,
      fence: doc.fence,
      ttlMs: o.ttlMs,
      acquiredAt: doc.acquiredAt,
      expiresAt: doc.expiresAt,
      seqNo: written.seqNo,
      primaryTerm: written.primaryTerm,
    });
    this.bus?.emit('lock:acquired', {
      at: doc.acquiredAt,
      resource: doc.resource,
      owner,
      fence: doc.fence,
      expiresAt: doc.expiresAt,
      takeover: how.takeover,
      waitedMs: how.waitedMs,
    });
    return lock;
  }

  private info(id: string, v: VersionedLockDoc, now: number): LockInfo {
    const d = v.doc;
    return {
      resource: d.resource,
      id,
      owner: d.owner,
      fence: d.fence,
      acquiredAt: d.acquiredAt,
      expiresAt: d.expiresAt,
      releasedAt: d.releasedAt ?? null,
      held: isHeld(d, now),
    };
  }
}

export function createLockManager(options: LockManagerOptions): LockManager {
  return new LockManager(options);
}
