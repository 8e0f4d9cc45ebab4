/**
 * Runs a handler for one attempt and says how it ended. The handler races its own AbortSignal:
 * once the signal fires (timeout, cancel, lease loss, forced shutdown) the attempt is decided at
 * once, so a handler that ignores the signal cannot hold its slot; whatever it returns later is
 * discarded.
 */
import { ErrorCode, toError } from '@esjobs/core';
import type { ActiveJob } from './active-job.js';
import type { JobContext } from './job-context.js';
import { RetryLaterError } from './retry-later.js';

export type HandlerOutcome =
  | { readonly kind: 'completed'; readonly result: unknown }
  | { readonly kind: 'failed'; readonly error: Error; readonly unrecoverable: boolean }
  | { readonly kind: 'retry-later'; readonly delayMs: number; readonly error: RetryLaterError }
  | { readonly kind: 'aborted'; readonly reason: Error };

// Recognised by code, not instanceof: a jobs module loaded through tsx (or bundled) may carry its
// own copy of @esjobs/core, whose classes are not ours.
function codeOf(err: unknown): unknown {
  return typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
}

function isRetryLater(err: unknown): err is RetryLaterError {
  return codeOf(err) === RetryLaterError.code && typeof (err as { delayMs?: unknown }).delayMs === 'number';
}

/** Results are stored as JSON: anything that does not survive JSON fails the attempt clearly. */
function checkResult(result: unknown): unknown {
  if (result === undefined) return null;
  JSON.stringify(result);
  return result;
}

export async function runHandler(active: ActiveJob, ctx: JobContext): Promise<HandlerOutcome> {
  const aborted = new Promise<HandlerOutcome>((resolve) => {
    active.onAbort((reason) => resolve({ kind: 'aborted', reason }));
  });
  const ran = (async (): Promise<HandlerOutcome> => {
    try {
      // The payload was validated as JSON at enqueue; its type is the definition's promise.
      const result: unknown = await active.def.handler(active.job.doc.payload as never, ctx);
      return { kind: 'completed', result: checkResult(result) };
    } catch (thrown) {
      if (isRetryLater(thrown)) return { kind: 'retry-later', delayMs: thrown.delayMs, error: thrown };
      const error = toError(thrown);
      return { kind: 'failed', error, unrecoverable: codeOf(error) === ErrorCode.Unrecoverable };
    }
  })();
  try {
    const first = await Promise.race([ran, aborted]);
    // A handler that settles because of its signal still counts as aborted (timeout, not error).
    if (active.abortReason !== undefined) return { kind: 'aborted', reason: active.abortReason };
    return first;
  } finally {
    active.onAbort(undefined);
  }
}
