/**
 * Support for scheduler tests: an embedded engine reached in-process through the official client,
 * a unique prefix per test, backend contexts on any clock, and job counting.
 */
import { randomBytes } from 'node:crypto';
import { Client } from '@elastic/elasticsearch';
import { type BackendContext, type Clock, type JobDocument, bootstrap, createBackendContext } from '@esjobs/core';
import { Engine, createEmbeddedClientConnection } from '@esjobs/embedded';
import { deleteIndicesMatching } from '../support/delete-indices.js';

export interface SchedTarget {
  readonly client: Client;
  readonly prefix: string;
  ctx(clock?: Clock): BackendContext;
  /** Every job document (after a refresh), optionally of one schedule. */
  jobs(scheduleName?: string): Promise<{ id: string; doc: JobDocument }[]>;
  close(): Promise<void>;
}

export function uniquePrefix(tag: string): string {
  return `st-${tag}-${randomBytes(3).toString('hex')}`;
}

export async function openTarget(tag: string, engine = new Engine({ defaultRefreshIntervalMs: 200 })): Promise<SchedTarget> {
  const client = new Client({ node: 'http://embedded.invalid', Connection: createEmbeddedClientConnection(engine) as never });
  const prefix = uniquePrefix(tag);
  await bootstrap(createBackendContext({ client, prefix }));
  return {
    client,
    prefix,
    ctx: (clock) => createBackendContext({ client, prefix, ...(clock === undefined ? {} : { clock }) }),
    async jobs(scheduleName) {
      await client.indices.refresh({ index: `${prefix}-jobs` });
      const res = await client.search<JobDocument>({
        index: `${prefix}-jobs`,
        size: 10_000,
        query: scheduleName === undefined ? { match_all: {} } : { term: { scheduleName } },
        sort: [{ jobId: 'asc' }],
      });
      return res.hits.hits.flatMap((h) => (h._source === undefined ? [] : [{ id: h._id ?? '', doc: h._source }]));
    },
    close: async () => {
      await deleteIndicesMatching(client, `${prefix}-*`);
      await client.close();
    },
  };
}

export { eventually } from '../support/eventually.js';

export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN;
}
