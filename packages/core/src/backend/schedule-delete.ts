/**
 * Delete one schedule.
 *
 * Inputs: schedule name. Request: `DELETE <prefix>-schedules/_doc/<name>` (unconditional: an
 * unschedule wins over a concurrent fire, whose conditional advance then 409s). Outcomes: true
 * when a document was deleted, false when there was none (or no index).
 */
import { NotFoundError } from '../errors.js';
import type { BackendContext } from './context.js';

export async function deleteSchedule(ctx: BackendContext, name: string): Promise<boolean> {
  try {
    const res = await ctx.request('schedule-delete', () => ctx.client.delete({ index: ctx.names.schedules, id: name }));
    return res.result === 'deleted';
  } catch (err) {
    if (err instanceof NotFoundError) return false;
    throw err;
  }
}
