/**
 * Remove a worker's registry document on clean shutdown.
 *
 * Inputs: worker id. Request: one `delete` on `<prefix>-workers`. Outcomes: `true` when deleted,
 * `false` when it was not there (404 is not an error here).
 */
import { NotFoundError } from '../errors.js';
import type { BackendContext } from './context.js';

export async function removeWorker(ctx: BackendContext, workerId: string): Promise<boolean> {
  try {
    await ctx.request('worker-remove', () => ctx.client.delete({ index: ctx.names.workers, id: workerId }));
    return true;
  } catch (err) {
    if (err instanceof NotFoundError) return false;
    throw err;
  }
}
