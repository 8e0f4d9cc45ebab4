/**
 * Per-test plumbing for the job-store conformance suite: a fresh prefix, bootstrapped indices, a
 * JobStore per simulated process, refresh and cleanup. Refresh is only ever called by tests (to
 * make a scenario deterministic), never by the code under test.
 */
import type { Client } from '@elastic/elasticsearch';
import { JobStore, ManualClock, bootstrap, createBackendContext, systemClock } from '@esjobs/core';
import type { BackendContext, Clock, JobStoreOptions } from '@esjobs/core';
import { uniquePrefix } from '../support/prefix.js';
import { deleteIndicesMatching } from '../support/delete-indices.js';

/** Manual `now()` for leases and delays, real sleeps (backpressure retries must still wake up). */
export class TestClock implements Clock {
  readonly manual: ManualClock;

  constructor(start = Date.parse('2030-01-01T00:00:00.000Z')) {
    this.manual = new ManualClock(start);
  }

  now(): number {
    return this.manual.now();
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return systemClock.sleep(ms, signal);
  }

  advance(ms: number): void {
    this.manual.advance(ms);
  }
}

export interface Harness {
  readonly client: Client;
  readonly prefix: string;
  /** A store as one process would have it (own context, metrics and caches). */
  store(options?: JobStoreOptions, clock?: Clock): JobStore;
  ctx(clock?: Clock): BackendContext;
  refresh(): Promise<void>;
  /** Documents in an index (after a refresh); 0 when it does not exist. */
  count(index: string): Promise<number>;
  /** Every index of this prefix with its document count. */
  snapshot(): Promise<Record<string, number>>;
  cleanup(): Promise<void>;
}

export async function createHarness(client: Client, label: string): Promise<Harness> {
  const prefix = uniquePrefix(`cj-${label}`);
  const stores: JobStore[] = [];
  const ctx = (clock: Clock = systemClock): BackendContext => createBackendContext({ client, prefix, clock });
  await bootstrap(ctx());
  const h: Harness = {
    client,
    prefix,
    ctx,
    store(options, clock) {
      const s = new JobStore(ctx(clock), options);
      stores.push(s);
      return s;
    },
    async refresh() {
      await client.indices.refresh({ index: `${prefix}-*`, allow_no_indices: true, ignore_unavailable: true });
    },
    async count(index) {
      const exists = await client.indices.exists({ index });
      if (!exists) return 0;
      await client.indices.refresh({ index });
      return (await client.count({ index })).count;
    },
    async snapshot() {
      await h.refresh();
      const mapping = await client.indices.getMapping({ index: `${prefix}-*`, allow_no_indices: true, ignore_unavailable: true });
      const out: Record<string, number> = {};
      for (const index of Object.keys(mapping).sort()) out[index] = (await client.count({ index })).count;
      return out;
    },
    async cleanup() {
      for (const s of stores) await s.close();
      await deleteIndicesMatching(client, `${prefix}-*`);
    },
  };
  return h;
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

export function sumMap(maps: readonly Map<string, number>[]): number {
  let n = 0;
  for (const m of maps) for (const v of m.values()) n += v;
  return n;
}
