/**
 * One running attempt: the claimed job (its token moves with every heartbeat), how and why it was
 * aborted, timers, the queue slot it holds, and the progress not yet stored.
 *
 * The handler's AbortSignal and the timer signal are created on first use: building
 * AbortControllers and listening on them was a tenth of a busy worker's time for short jobs,
 * most of which never look at `ctx.signal` and have no timeout.
 */
import type { ClaimedJob, HeldQueueSlot } from '@esjobs/core';
import type { AnyJobDefinition } from './define-job.js';

/** Why a handler's signal fired: decides what is written for the attempt. */
export type AbortKind = 'timeout' | 'cancelled' | 'lease-lost' | 'shutdown';

export class ActiveJob {
  job: ClaimedJob;
  readonly def: AnyJobDefinition;
  readonly startedAt: number;
  /** Local view of the lease end; past it without a successful heartbeat the run is abandoned. */
  leaseExpiresAt: number;
  slot: HeldQueueSlot | undefined;
  abortKind: AbortKind | undefined;
  /** Set once the run is aborted (timeout, cancel, lease loss, forced shutdown). */
  abortReason: Error | undefined;
  /** The handler is over (or abandoned): the slot is free, only the write remains. */
  finished = false;
  progress: { value: unknown; dirty: boolean } | undefined;
  private controller: AbortController | undefined;
  private timers: AbortController | undefined;
  private abortListener: ((reason: Error) => void) | undefined;

  constructor(job: ClaimedJob, def: AnyJobDefinition, startedAt: number, leaseExpiresAt: number, slot: HeldQueueSlot | undefined) {
    this.job = job;
    this.def = def;
    this.startedAt = startedAt;
    this.leaseExpiresAt = leaseExpiresAt;
    this.slot = slot;
  }

  get id(): string {
    return this.job.id;
  }

  /** The handler's signal (`ctx.signal`): aborted with the reason when the run is aborted. */
  get signal(): AbortSignal {
    if (this.controller === undefined) {
      this.controller = new AbortController();
      if (this.abortReason !== undefined) this.controller.abort(this.abortReason);
    }
    return this.controller.signal;
  }

  /** Ends with the run (see `end()`): for timers tied to it. */
  get timerSignal(): AbortSignal {
    this.timers ??= new AbortController();
    return this.timers.signal;
  }

  /** Called once with the reason when the run is aborted (at once if it already was). One listener. */
  onAbort(listener: ((reason: Error) => void) | undefined): void {
    this.abortListener = listener;
    if (listener !== undefined && this.abortReason !== undefined) listener(this.abortReason);
  }

  abort(kind: AbortKind, reason: Error): void {
    if (this.abortReason !== undefined || this.finished) return;
    this.abortKind = kind;
    this.abortReason = reason;
    this.controller?.abort(reason);
    this.abortListener?.(reason);
  }

  /** The run is over: stop its timers. */
  end(reason: unknown): void {
    this.timers?.abort(reason);
  }
}
