/**
 * withLock: hold a lock for the duration of `fn`. A renewal loop on the injected Clock extends
 * the lease every `renewEveryMs`; if a renewal finds the lock taken (or keeps failing until the
 * lease has run out), `fn`'s AbortSignal fires with the LockLostError and `lock:lost` is emitted.
 * The lock is always released at the end unless it was lost.
 */
import { LockLostError } from '../errors.js';
import type { Lock } from './lock.js';
import type { LockManager } from './lock-manager.js';
import type { LockOptions, ResolvedLockOptions } from './lock-options.js';

export type WithLockFn<T> = (signal: AbortSignal, lock: Lock) => Promise<T> | T;

export async function runWithLock<T>(
  manager: LockManager,
  resource: string,
  resolved: ResolvedLockOptions,
  options: LockOptions | undefined,
  fn: WithLockFn<T>,
): Promise<T> {
  const lock = await manager.acquire(resource, options);
  const clock = manager.clock;
  const abort = new AbortController();
  const stop = new AbortController();
  let lost: LockLostError | undefined;
  const onCallerAbort = (): void => abort.abort(resolved.signal?.reason);
  resolved.signal?.addEventListener('abort', onCallerAbort, { once: true });

  const renewing = (async (): Promise<void> => {
    while (!stop.signal.aborted) {
      try {
        await clock.sleep(resolved.renewEveryMs, stop.signal);
      } catch {
        return;
      }
      if (stop.signal.aborted) return;
      try {
        await lock.renew();
      } catch (err) {
        if (err instanceof LockLostError) lost = err;
        else if (clock.now() >= lock.expiresAt) {
          lost = lock.markLost(`could not renew before the lease ran out: ${err instanceof Error ? err.message : String(err)}`);
        } else continue; // transient failure: try again at the next tick, the lease still runs
        abort.abort(lost);
        return;
      }
    }
  })();

  let outcome: { ok: true; value: T } | { ok: false; error: unknown };
  try {
    outcome = { ok: true, value: await fn(abort.signal, lock) };
  } catch (error) {
    outcome = { ok: false, error };
  }
  stop.abort();
  await renewing;
  resolved.signal?.removeEventListener('abort', onCallerAbort);

  if (lost === undefined && lock.status === 'held') {
    try {
      await lock.release();
    } catch (err) {
      if (!(err instanceof LockLostError)) throw err;
      lost = err;
    }
  }
  if (lost !== undefined) {
    // The critical section was not exclusive to the end: say so even if fn finished.
    if (!outcome.ok && outcome.error !== lost) throw new LockLostError(resource, lost.message, { cause: outcome.error });
    throw lost;
  }
  if (!outcome.ok) throw outcome.error;
  return outcome.value;
}
