/**
 * Retention of the events index.
 *
 * Inputs: a cut-off time (epoch ms). Request: `_delete_by_query` on `<prefix>-events` for
 * `at < cutoff`, `conflicts=proceed`, waiting for completion. Outcomes: the number deleted; a
 * missing index deletes nothing.
 */
import { NotFoundError } from '../errors.js';
import type { BackendContext } from './context.js';

export async function eventsPurge(ctx: BackendContext, cutoff: number): Promise<number> {
  try {
    const res = await ctx.request('events-purge', () =>
      ctx.client.deleteByQuery({
        index: ctx.names.events,
        query: { range: { at: { lt: cutoff } } },
        conflicts: 'proceed',
        wait_for_completion: true,
      }),
    );
    return res.deleted ?? 0;
  } catch (err) {
    if (err instanceof NotFoundError && /index_not_found/u.test(err.message)) return 0;
    throw err;
  }
}
