/**
 * Retention of `<prefix>-events`: the maintenance loop calls `purgeEvents` periodically.
 */
import type { BackendContext } from '../backend/context.js';
import { eventsPurge } from '../backend/events-purge.js';
import type { Duration } from '../duration.js';
import { eventsRetentionMs } from './transport-options.js';

export interface PurgeEventsOptions {
  /**
   * Events older than this are deleted.
   * @defaultValue "1d"
   */
  readonly retention?: Duration;
}

/** Delete events older than the retention age; returns how many were deleted. */
export async function purgeEvents(ctx: BackendContext, options: PurgeEventsOptions = {}): Promise<number> {
  const retentionMs = eventsRetentionMs(options.retention);
  return eventsPurge(ctx, ctx.clock.now() - retentionMs);
}
