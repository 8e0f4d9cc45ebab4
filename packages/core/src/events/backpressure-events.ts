/**
 * Bridge from a backend context's backpressure monitor to the bus: one `backpressure` event per
 * push-back (429/503) the backend saw, with the operation, status and the wait before the retry.
 * The process wiring (worker, scheduler, CLI) calls it once per context.
 */
import type { BackendContext } from '../backend/context.js';
import type { EventBus } from './event-bus.js';

/** Starts emitting; returns the function that stops. */
export function emitBackpressureEvents(ctx: Pick<BackendContext, 'backpressure' | 'clock'>, bus: EventBus): () => void {
  return ctx.backpressure.subscribe((_snapshot, detail) => {
    if (detail === undefined) return; // backoff cleared: not a push-back
    bus.emit('backpressure', {
      at: ctx.clock.now(),
      op: detail.op ?? 'unknown',
      status: detail.status ?? 429,
      delayMs: detail.delayMs ?? 0,
      attempt: detail.attempt ?? 0,
    });
  });
}
