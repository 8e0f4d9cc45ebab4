/**
 * EventBus: the typed emitter (eventemitter3) that the components of one process share.
 *
 * Two things on top of a plain emitter:
 * - A listener that throws never breaks the emitter (a worker emitting `job:completed` must not
 *   fail because a dashboard listener threw); the throw is re-emitted as an `error` event.
 * - Local vs remote: `emit` is for events that happen in this process and is seen by taps (the
 *   Elasticsearch transport's writer); `deliverRemote` is for events that came from another
 *   process and is not seen by taps, so the transport never echoes them back.
 */
import { EventEmitter } from 'eventemitter3';
import type { Clock } from '../clock.js';
import { systemClock } from '../clock.js';
import { errorInfo } from './error-info.js';
import type { EsJobsEvents, EventName } from './event-map.js';

export type Listener<E extends EventName> = (payload: EsJobsEvents[E]) => void;
/** Sees every locally emitted event. */
export type Tap = <E extends EventName>(event: E, payload: EsJobsEvents[E]) => void;

type AnyListener = (payload: never) => void;

export interface EventBusOptions {
  /**
   * Clock for the `at` of errors the bus reports itself.
   * @defaultValue systemClock
   */
  readonly clock?: Clock;
}

export class EventBus {
  private readonly clock: Clock;
  private readonly emitter = new EventEmitter<{ [E in EventName]: [EsJobsEvents[E]] }>();
  // User listener -> guarded wrapper, per event, so `off` finds what `on` registered.
  private readonly wrapped = new Map<EventName, Map<AnyListener, Listener<EventName>>>();
  private readonly taps = new Set<Tap>();

  constructor(options: EventBusOptions = {}) {
    this.clock = options.clock ?? systemClock;
  }

  on<E extends EventName>(event: E, listener: Listener<E>): this {
    this.emitter.on(event, this.wrap(event, listener, false) as never);
    return this;
  }

  once<E extends EventName>(event: E, listener: Listener<E>): this {
    this.emitter.once(event, this.wrap(event, listener, true) as never);
    return this;
  }

  off<E extends EventName>(event: E, listener: Listener<E>): this {
    const byListener = this.wrapped.get(event);
    const guard = byListener?.get(listener as AnyListener);
    if (guard !== undefined) {
      byListener?.delete(listener as AnyListener);
      this.emitter.off(event, guard as never);
    }
    return this;
  }

  /** Emit an event that happened in this process. Returns whether anything listened. */
  emit<E extends EventName>(event: E, payload: EsJobsEvents[E]): boolean {
    for (const tap of this.taps) {
      try {
        tap(event, payload);
      } catch (err) {
        this.reportListenerError(event, err);
      }
    }
    return this.emitter.emit(event, ...([payload] as never as [never]));
  }

  /** Deliver an event that another process emitted (taps do not see it). */
  deliverRemote<E extends EventName>(event: E, payload: EsJobsEvents[E]): boolean {
    return this.emitter.emit(event, ...([payload] as never as [never]));
  }

  /** Watch every locally emitted event; returns the function that stops watching. */
  tap(tap: Tap): () => void {
    this.taps.add(tap);
    return () => {
      this.taps.delete(tap);
    };
  }

  listenerCount(event: EventName): number {
    return this.emitter.listenerCount(event);
  }

  removeAllListeners(event?: EventName): this {
    if (event === undefined) {
      this.emitter.removeAllListeners();
      this.wrapped.clear();
    } else {
      this.emitter.removeAllListeners(event);
      this.wrapped.delete(event);
    }
    return this;
  }

  /**
   * Resolve with the first `event` payload that satisfies `predicate`, or reject after
   * `timeoutMs` (real time: meant for tests and CLIs).
   */
  waitFor<E extends EventName>(
    event: E,
    predicate: (payload: EsJobsEvents[E]) => boolean = () => true,
    timeoutMs = 5_000,
  ): Promise<EsJobsEvents[E]> {
    return new Promise((resolve, reject) => {
      const listener: Listener<E> = (payload) => {
        let ok: boolean;
        try {
          ok = predicate(payload);
        } catch (err) {
          cleanup();
          reject(err instanceof Error ? err : new Error(String(err)));
          return;
        }
        if (!ok) return;
        cleanup();
        resolve(payload);
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`waitFor(${JSON.stringify(event)}): no matching event within ${timeoutMs} ms`));
      }, timeoutMs);
      const cleanup = (): void => {
        clearTimeout(timer);
        this.off(event, listener);
      };
      this.on(event, listener);
    });
  }

  private wrap<E extends EventName>(event: E, listener: Listener<E>, once: boolean): Listener<E> {
    const guard: Listener<E> = (payload) => {
      if (once) this.wrapped.get(event)?.delete(listener as AnyListener);
      try {
        listener(payload);
      } catch (err) {
        this.reportListenerError(event, err);
      }
    };
    let byListener = this.wrapped.get(event);
    if (byListener === undefined) {
      byListener = new Map();
      this.wrapped.set(event, byListener);
    }
    byListener.set(listener as AnyListener, guard as Listener<EventName>);
    return guard;
  }

  private reportListenerError(event: EventName, err: unknown): void {
    // A throwing `error` listener is dropped rather than recursing.
    if (event === 'error') return;
    this.emit('error', { at: this.clock.now(), component: `listener:${event}`, error: errorInfo(err) });
  }
}

export function createEventBus(options: EventBusOptions = {}): EventBus {
  return new EventBus(options);
}
