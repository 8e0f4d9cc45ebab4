/**
 * Write a worker's registry document.
 *
 * Inputs: the WorkerDocument; `refresh` for the first write of a starting worker (its peers
 * divide the claim partitions by what the registry search shows; the index is tiny). Request: one
 * `index` into `<prefix>-workers` with id = worker id (a plain overwrite: only the worker itself
 * writes its document). Outcomes: done, or the mapped error (the caller logs and retries next
 * interval).
 */
import type { WorkerDocument } from '../indices/workers.js';
import type { BackendContext } from './context.js';

export async function upsertWorker(ctx: BackendContext, doc: WorkerDocument, options: { readonly refresh?: boolean } = {}): Promise<void> {
  await ctx.request('worker-upsert', () =>
    ctx.client.index({ index: ctx.names.workers, id: doc.workerId, document: doc, ...(options.refresh === true ? { refresh: true } : {}) }),
  );
}
