import { expect } from 'chai';
import { createBackendContext } from '../src/backend/create-context.js';
import { inspectBulk } from '../src/backend/bulk-result.js';
import { BackpressureError, ConflictError } from '../src/errors.js';
import { forEachTarget } from '../../../test/support/targets.js';
import { uniquePrefix } from '../../../test/support/prefix.js';

forEachTarget(
  (target) => {
    afterEach(() => {
      target.faults?.clear();
    });

    it('429s injected on half the bulks: every write lands exactly once after retries', async () => {
      const prefix = uniquePrefix('req');
      const ctx = createBackendContext({ client: target.client({ maxRetries: 0 }), prefix, backpressure: { maxAttempts: 12, baseDelay: 1, maxDelay: 20 } });
      const index = `${prefix}-docs`;
      await ctx.client.indices.create({ index, mappings: { dynamic: 'strict', properties: { n: { type: 'integer' } } } });
      const advisor = ctx.backpressure.batchSize('write', { max: 100 });
      target.faults?.set({ byKind: { bulk: { rejectProbability: 0.5 } } });
      for (let b = 0; b < 20; b++) {
        const operations = Array.from({ length: 5 }, (_, i) => [{ create: { _index: index, _id: `d${b * 5 + i}` } }, { n: b * 5 + i }]).flat();
        const res = await ctx.request('write', () => ctx.client.bulk({ operations }));
        const summary = inspectBulk(ctx, 'write', res);
        expect(summary.ok).to.equal(5);
      }
      target.faults?.clear();
      await ctx.client.indices.refresh({ index });
      expect((await ctx.client.count({ index })).count).to.equal(100);
      const rejections = ctx.metrics.rejections.get('write') ?? 0;
      expect(rejections).to.be.greaterThan(0);
      expect(ctx.metrics.backpressureRetries.get('write')).to.equal(rejections);
      expect(ctx.metrics.requests.get('write')).to.equal(20 + rejections);
      expect(advisor.size).to.be.lessThan(100);
      expect(ctx.backpressure.snapshot().recentRejections).to.equal(rejections);
    });

    it('a cluster that keeps rejecting → BackpressureError after the configured attempts', async () => {
      const prefix = uniquePrefix('req');
      const ctx = createBackendContext({ client: target.client({ maxRetries: 0 }), prefix, backpressure: { maxAttempts: 3, baseDelay: 1, maxDelay: 5 } });
      target.faults?.set({ byKind: { search: { rejectProbability: 1 } } });
      const err = await ctx.request('claim', () => ctx.client.search({ index: `${prefix}-none`, allow_no_indices: true })).catch((e: unknown) => e);
      expect(err).to.be.instanceOf(BackpressureError);
      expect((err as Error).message).to.include('gave up after 3 attempts');
      expect(ctx.metrics.requests.get('claim')).to.equal(3);
    });

    it('a lost conditional write is a ConflictError, counted, not retried', async () => {
      const prefix = uniquePrefix('req');
      const ctx = createBackendContext({ client: target.client(), prefix });
      const index = `${prefix}-docs`;
      const first = await ctx.client.index({ index, id: 'a', document: { n: 1 } });
      await ctx.client.index({ index, id: 'a', document: { n: 2 } });
      const err = await ctx
        .request('complete', () => ctx.client.index({ index, id: 'a', document: { n: 3 }, if_seq_no: first._seq_no, if_primary_term: first._primary_term }))
        .catch((e: unknown) => e);
      expect(err).to.be.instanceOf(ConflictError);
      expect(ctx.metrics.conflicts.get('complete')).to.equal(1);
      expect(ctx.metrics.requests.get('complete')).to.equal(1);
      expect((await ctx.client.get<{ n: number }>({ index, id: 'a' }))._source?.n).to.equal(2);
    });
  },
  { only: ['embedded', 'embedded-http'] },
);
