/**
 * Jobs run by the benchmark's worker processes (`esjobs worker start --jobs bench/jobs.ts`).
 * `noop` does nothing, so throughput measures esjobs itself; `stamp` returns the time its
 * handler started, so latency is read back from the job's stored result without a side channel.
 */
import { defineJob } from '@esjobs/worker';

export const noop = defineJob({
  name: 'bench-noop',
  handler: () => undefined,
});

export const stamp = defineJob({
  name: 'bench-stamp',
  handler: () => ({ startedAt: Date.now() }),
});
