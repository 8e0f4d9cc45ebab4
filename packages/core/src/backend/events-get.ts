/**
 * Fetch events by id in real time, to fill sequence gaps the (near-real-time) tail search has
 * not seen yet.
 *
 * Inputs: event ids. Request: `_mget` on `<prefix>-events`. Outcomes: the events found, keyed by
 * id; ids not written (yet) are absent; a missing index gives an empty map.
 */
import type { estypes } from '@elastic/elasticsearch';
import { isEventDoc, type EventDoc } from '../events/event-doc.js';
import type { BackendContext } from './context.js';

function isFound(d: estypes.MgetResponseItem): d is estypes.GetGetResult {
  return 'found' in d && d.found;
}

export async function eventsGet(ctx: BackendContext, ids: readonly string[]): Promise<Map<string, EventDoc>> {
  const out = new Map<string, EventDoc>();
  if (ids.length === 0) return out;
  const res = await ctx.request('events-get', () => ctx.client.mget({ index: ctx.names.events, ids: [...ids] }));
  for (const d of res.docs) {
    if (isFound(d) && isEventDoc(d._source)) out.set(d._id, d._source);
  }
  return out;
}
