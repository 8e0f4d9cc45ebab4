/**
 * Test support for worker tests: an embedded engine reached through the official client
 * (in-process connection), a unique index prefix per test, and polling helpers.
 */
import { randomBytes } from 'node:crypto';
import { Client } from '@elastic/elasticsearch';
import { type BackendContext, JobStore, bootstrap, createBackendContext } from '@esjobs/core';
import { Engine, createEmbeddedClientConnection } from '@esjobs/embedded';

export interface Target {
  readonly client: Client;
  readonly ctx: BackendContext;
  readonly store: JobStore;
  readonly prefix: string;
  close(): Promise<void>;
}

export function uniquePrefix(tag: string): string {
  return `wt-${tag}-${randomBytes(3).toString('hex')}`;
}

export async function openTarget(tag: string): Promise<Target> {
  const engine = new Engine({ defaultRefreshIntervalMs: 200 });
  const client = new Client({ node: 'http://embedded.invalid', Connection: createEmbeddedClientConnection(engine) as never });
  const prefix = uniquePrefix(tag);
  const ctx = createBackendContext({ client, prefix });
  await bootstrap(ctx);
  const store = new JobStore(ctx, { lease: '30s' });
  return {
    client,
    ctx,
    store,
    prefix,
    close: async () => {
      await store.close();
      await client.close();
    },
  };
}

export { eventually } from '../support/eventually.js';

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
