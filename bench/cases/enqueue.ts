/**
 * Enqueue throughput through the Scheduler: single enqueues (one request each, 16 in flight) and
 * `enqueueMany` in batches of 1,000 (one bulk request each, 2 in flight).
 */
import { noop } from '../jobs.js';
import { type Harness, deleteQueue } from '../lib/harness.js';

export interface EnqueueResults {
  readonly singleJobsPerSec: number;
  readonly bulkJobsPerSec: number;
}

async function forDuration(ms: number, inFlight: number, op: () => Promise<number>): Promise<number> {
  let done = 0;
  const start = performance.now();
  const end = start + ms;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (performance.now() < end) {
        // Not `done += await op()`: that reads `done` before the await and loses concurrent updates.
        const n = await op();
        done += n;
      }
    }),
  );
  return (done * 1000) / (performance.now() - start);
}

export async function benchEnqueue(h: Harness): Promise<EnqueueResults> {
  const ms = h.quick ? 1_500 : 3_000;
  const queue = h.queue('enqueue');
  const singleJobsPerSec = await forDuration(ms, 16, async () => {
    await h.scheduler.enqueue(noop, {}, { queue });
    return 1;
  });
  const batch = Array.from({ length: 1000 }, () => ({ name: 'bench-noop', payload: {}, options: { queue } }));
  const bulkJobsPerSec = await forDuration(ms, 2, async () => {
    const out = await h.scheduler.enqueueMany(batch);
    const failed = out.filter((o) => o.status === 'error');
    if (failed.length > 0) throw new Error(`bulk enqueue: ${failed.length} of ${out.length} failed`);
    return out.length;
  });
  // Leave nothing for later cases to trip over.
  await deleteQueue(h, queue);
  return { singleJobsPerSec, bulkJobsPerSec };
}
