/**
 * One running attempt: the claimed job (its token moves with every heartbeat), the handler's
 * AbortController, timers, the queue slot it holds, and the progress not yet stored.
 */
import type { ClaimedJob, HeldQueueSlot } from '@esjobs/core';
import type { AnyJobDefinition } from './define-job.js';

/** Why a handler's signal fired: decides what is written for the attempt. */
export type AbortKind = 'timeout' | 'cancelled' | 'lease-lost' | 'shutdown';

export class ActiveJob {
  job: ClaimedJob;
  readonly def: AnyJobDefinition;
  readonly controller = new AbortController();
  readonly startedAt: number;
  /** Local view of the lease end; past it without a successful heartbeat the run is abandoned. */
  leaseExpiresAt: number;
  slot: HeldQueueSlot | undefined;
  abortKind: AbortKind | undefined;
  /** The handler is over (or abandoned): the slot is free, only the write remains. */
  finished = false;
  progress: { value: unknown; dirty: boolean } | undefined;
  /** Ends timers tied to this run. */
  readonly done = new AbortController();

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

  abort(kind: AbortKind, reason: Error): void {
    if (this.controller.signal.aborted || this.finished) return;
    this.abortKind = kind;
    this.controller.abort(reason);
  }
}
