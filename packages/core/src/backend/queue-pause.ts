/**
 * Pause and resume queues; read which queues are paused.
 *
 * Inputs: queue name(s). Request: pause/resume index one settings document (id = queue) into
 * `<prefix>-queues` with `refresh: false`; `pausedQueues` reads them with a real-time `_mget`, so
 * claims honour a pause at once (no refresh needed). A missing index means nothing is paused.
 * Outcomes: the set of paused queues among those asked.
 */
import type { estypes } from '@elastic/elasticsearch';
import type { BackendContext } from './context.js';
import { NotFoundError } from '../errors.js';
import { iso } from '../jobs/document.js';
import type { QueueSettingsDocument } from '../indices/queues.js';

function isFound(d: estypes.MgetResponseItem): d is estypes.GetGetResult<QueueSettingsDocument> {
  return 'found' in d && d.found;
}

export async function setQueuePaused(ctx: BackendContext, queue: string, paused: boolean): Promise<void> {
  const document: QueueSettingsDocument = { queue, paused, updatedAt: iso(ctx.clock.now()) };
  await ctx.request(paused ? 'queue-pause' : 'queue-resume', () => ctx.client.index({ index: ctx.names.queues, id: queue, document }));
}

export async function pausedQueues(ctx: BackendContext, queues: readonly string[]): Promise<Set<string>> {
  const out = new Set<string>();
  if (queues.length === 0) return out;
  const index = ctx.names.queues;
  try {
    const res = await ctx.request('queue-paused', () => ctx.client.mget<QueueSettingsDocument>({ docs: queues.map((q) => ({ _index: index, _id: q })) }));
    for (const d of res.docs) if (isFound(d) && d._source?.paused === true) out.add(d._id);
  } catch (err) {
    if (!(err instanceof NotFoundError)) throw err;
  }
  return out;
}
