import { expect } from 'chai';
import { Client, errors } from '@elastic/elasticsearch';
import { ManualClock } from '../src/clock.js';
import { BackpressureError, ConflictError, NotFoundError, ValidationError } from '../src/errors.js';
import { createBackendContext } from '../src/backend/create-context.js';
import { classifyBulkItems, inspectBulk } from '../src/backend/bulk-result.js';
import { pushbackDelayMs } from '../src/backend/request.js';
import type { BackendContext } from '../src/backend/context.js';

function responseError(statusCode: number, type: string, reason: string): errors.ResponseError {
  return new errors.ResponseError({
    statusCode,
    body: { error: { root_cause: [{ type, reason }], type, reason }, status: statusCode },
    headers: {},
    warnings: null,
    meta: { context: null, name: 'es', request: { params: { method: 'POST', path: '/_bulk' }, options: {}, id: 1 }, connection: null, attempts: 0, aborted: false },
  });
}
const rejected = (): errors.ResponseError => responseError(429, 'es_rejected_execution_exception', 'rejected execution of coordinating operation');

/** Let pending promise callbacks run so a sleeping retry is registered on the clock. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
}

describe('backend request runner', () => {
  let client: Client;
  let clock: ManualClock;
  let ctx: BackendContext;

  beforeEach(() => {
    // never contacted: the request functions below stand in for client calls
    client = new Client({ node: 'http://127.0.0.1:1' });
    clock = new ManualClock(1_000_000);
    ctx = createBackendContext({ client, prefix: 'req-test', pushbackClock: clock, random: () => 0.5, backpressure: { maxAttempts: 4, baseDelay: 100, maxDelay: 1000 } });
  });
  afterEach(async () => {
    await client.close();
  });

  it('returns results and counts requests', async () => {
    expect(await ctx.request('get', async () => 42)).to.equal(42);
    expect(ctx.metrics.requests.get('get')).to.equal(1);
  });

  it('retries 429 with jittered exponential backoff on the injected clock', async () => {
    let calls = 0;
    const p = ctx.request('claim', async () => {
      calls++;
      if (calls < 3) throw rejected();
      return 'done';
    });
    await settle();
    expect(calls).to.equal(1);
    expect(ctx.backpressure.currentBackoffMs).to.equal(50); // 0.5 * 100
    clock.advance(49);
    await settle();
    expect(calls).to.equal(1);
    clock.advance(1);
    await settle();
    expect(calls).to.equal(2);
    expect(ctx.backpressure.currentBackoffMs).to.equal(100); // 0.5 * 200
    clock.advance(100);
    expect(await p).to.equal('done');
    expect(calls).to.equal(3);
    expect(ctx.metrics.backpressureRetries.get('claim')).to.equal(2);
    expect(ctx.metrics.rejections.get('claim')).to.equal(2);
    expect(ctx.backpressure.currentBackoffMs).to.equal(0);
    const snap = ctx.backpressure.snapshot();
    expect(snap.recentRejections).to.equal(2);
    expect(snap.recentRequests).to.equal(3);
  });

  it('retries 503 too and gives up after maxAttempts with BackpressureError', async () => {
    let calls = 0;
    const p = ctx.request('bulk', async () => {
      calls++;
      throw responseError(503, 'unavailable_shards_exception', 'primary shard is not active');
    });
    let outcome: unknown;
    p.catch((e: unknown) => (outcome = e));
    for (let i = 0; i < 10 && outcome === undefined; i++) {
      await settle();
      clock.advance(1000);
    }
    await settle();
    expect(calls).to.equal(4);
    expect(outcome).to.be.instanceOf(BackpressureError);
    expect((outcome as BackpressureError).status).to.equal(503);
    expect((outcome as Error).message).to.include('gave up after 4 attempts');
    expect(ctx.metrics.errors.get('bulk')).to.equal(1);
  });

  it('a frozen ManualClock for job time does not stall push-back retries (real time by default)', async () => {
    const jobClock = new ManualClock(0);
    const real = createBackendContext({ client, prefix: 'req-test', clock: jobClock, backpressure: { baseDelay: 1, maxDelay: 2 } });
    let calls = 0;
    const out = await real.request('claim', async () => {
      if (++calls < 3) throw rejected();
      return calls;
    });
    expect(out).to.equal(3);
    expect(jobClock.pendingSleeps).to.equal(0);
  });

  it('a 409 is counted and thrown as ConflictError, not retried', async () => {
    let calls = 0;
    const err = await ctx
      .request('complete', async () => {
        calls++;
        throw responseError(409, 'version_conflict_engine_exception', '[j1]: version conflict');
      })
      .catch((e: unknown) => e);
    expect(err).to.be.instanceOf(ConflictError);
    expect(calls).to.equal(1);
    expect(ctx.metrics.conflicts.get('complete')).to.equal(1);
    ctx.countConflict('complete', 3);
    expect(ctx.metrics.conflicts.get('complete')).to.equal(4);
  });

  it('other errors are mapped and not retried', async () => {
    let calls = 0;
    const err = await ctx
      .request('get', async () => {
        calls++;
        throw responseError(404, 'index_not_found_exception', 'no such index [req-test-jobs]');
      })
      .catch((e: unknown) => e);
    expect(err).to.be.instanceOf(NotFoundError);
    expect((err as Error).message).to.include('get: index_not_found_exception');
    expect(calls).to.equal(1);
  });

  it('an abort signal stops a retry wait', async () => {
    const ac = new AbortController();
    const p = ctx.request('claim', async () => {
      throw rejected();
    }, { signal: ac.signal });
    await settle();
    ac.abort(new Error('shutting down'));
    const err = await p.catch((e: unknown) => e);
    expect((err as Error).message).to.equal('shutting down');
  });

  it('full jitter stays within [0, min(cap, base*2^(n-1))]', () => {
    const o = { baseDelayMs: 100, maxDelayMs: 1000 };
    expect(pushbackDelayMs(1, o, () => 0.999)).to.equal(99);
    expect(pushbackDelayMs(3, o, () => 0.999)).to.equal(399);
    expect(pushbackDelayMs(10, o, () => 0.999)).to.equal(999);
    expect(pushbackDelayMs(10, o, () => 0)).to.equal(0);
  });

  it('batch-size advisors shrink multiplicatively on pushback and recover additively', () => {
    const claim = ctx.backpressure.batchSize('claim', { max: 100, min: 5 });
    expect(ctx.backpressure.batchSize('claim', { max: 7 })).to.equal(claim);
    expect(claim.size).to.equal(100);
    ctx.backpressure.recordRejection();
    expect(claim.size).to.equal(80);
    ctx.backpressure.recordRejection(); // within the 1 s cooldown: a burst counts once
    expect(claim.size).to.equal(80);
    clock.advance(1000);
    ctx.backpressure.recordRejection();
    expect(claim.size).to.equal(64);
    for (let i = 0; i < 30; i++) {
      clock.advance(1000);
      ctx.backpressure.recordRejection();
    }
    expect(claim.size).to.equal(5); // floor
    expect(claim.limit(3)).to.equal(3);
    expect(claim.limit(50)).to.equal(5);
    clock.advance(9_999);
    expect(claim.size).to.equal(5);
    clock.advance(1);
    expect(claim.size).to.equal(10); // +5% of max per 10 s
    clock.advance(10_000 * 100);
    expect(claim.size).to.equal(100);
    expect(ctx.backpressure.snapshot().batchSizes).to.deep.equal({ claim: 100 });
  });

  it('sporadic rejections below shrinkAboveRate are retried without shrinking; a sustained rate shrinks', () => {
    const claim = ctx.backpressure.batchSize('claim-sporadic', { max: 100 });
    // 1 rejection per 100 requests, for a minute: 1% < 5%
    for (let s = 0; s < 60; s++) {
      ctx.backpressure.recordSuccess(99);
      ctx.backpressure.recordRejection();
      clock.advance(1000);
    }
    expect(claim.size).to.equal(100);
    expect(ctx.backpressure.snapshot().recentRejections).to.be.greaterThan(0);
    // then 1 in 10: 10% ≥ 5% once the last 10 s carry enough of it
    let shrunkAfter = -1;
    for (let s = 0; s < 20 && shrunkAfter < 0; s++) {
      ctx.backpressure.recordSuccess(9);
      ctx.backpressure.recordRejection();
      if (claim.size < 100) shrunkAfter = s;
      clock.advance(1000);
    }
    expect(shrunkAfter).to.be.within(0, 10);
    expect(claim.size).to.equal(80);
  });

  it('shrinkAboveRate 0 shrinks on every rejection', () => {
    const c = createBackendContext({ client: new Client({ node: 'http://127.0.0.1:1' }), prefix: 'bp0', pushbackClock: clock, backpressure: { shrinkAboveRate: 0 } });
    const claim = c.backpressure.batchSize('claim', { max: 100 });
    c.backpressure.recordSuccess(10_000);
    c.backpressure.recordRejection();
    expect(claim.size).to.equal(80);
  });

  it('listeners hear about rejections, with op, status, delay and attempt for retried requests', async () => {
    const seen: number[] = [];
    const details: unknown[] = [];
    const off = ctx.backpressure.subscribe((s, d) => {
      seen.push(s.recentRejections);
      details.push(d);
    });
    ctx.backpressure.recordRejection(2);
    let calls = 0;
    const p = ctx.request('heartbeat', async () => {
      if (++calls === 1) throw rejected();
      return 'ok';
    });
    await settle();
    clock.advance(1000);
    expect(await p).to.equal('ok');
    off();
    ctx.backpressure.recordRejection(1);
    expect(seen).to.deep.equal([2, 3, 3]);
    expect(details).to.deep.equal([{}, { op: 'heartbeat', status: 429, delayMs: 50, attempt: 1 }, undefined]);
  });

  it('the rejection rate forgets old rejections after the window', () => {
    ctx.backpressure.recordRejection(3);
    ctx.backpressure.recordSuccess(1);
    expect(ctx.backpressure.snapshot().recentRejectionRate).to.equal(0.75);
    clock.advance(61_000);
    expect(ctx.backpressure.snapshot().recentRejectionRate).to.equal(0);
  });

  it('rejects bad context options naming the field', () => {
    expect(() => createBackendContext({ client, prefix: 'Bad' })).to.throw(ValidationError, 'prefix');
    expect(() => createBackendContext({ client, backpressure: { maxAttempts: 0 } })).to.throw(ValidationError, 'backpressure.maxAttempts');
    expect(() => createBackendContext({ client, backpressure: { maxDelay: '1ms', baseDelay: '1s' } })).to.throw(ValidationError, 'backpressure.maxDelay');
    expect(() => createBackendContext({ client, maxPayloadBytes: -1 })).to.throw(ValidationError, 'maxPayloadBytes');
    expect(() => createBackendContext({ client: {} as Client })).to.throw(ValidationError, 'client');
  });
});

describe('bulk response classification', () => {
  const response = {
    errors: true,
    took: 3,
    items: [
      { create: { _index: 'p-jobs', _id: 'a', _version: 1, result: 'created', _seq_no: 0, _primary_term: 1, status: 201 } },
      { update: { _index: 'p-jobs', _id: 'b', status: 409, error: { type: 'version_conflict_engine_exception', reason: '[b]: version conflict' } } },
      { index: { _index: 'p-jobs', _id: 'c', status: 429, error: { type: 'es_rejected_execution_exception', reason: 'rejected execution' } } },
      { delete: { _index: 'p-jobs', _id: 'd', _version: 1, result: 'not_found', _seq_no: 5, _primary_term: 1, status: 404 } },
      { update: { _index: 'p-jobs', _id: 'e', status: 404, error: { type: 'document_missing_exception', reason: '[e]: document missing' } } },
      { index: { _index: 'p-jobs', _id: 'f', status: 400, error: { type: 'strict_dynamic_mapping_exception', reason: 'field [x] not allowed' } } },
      { update: { _index: 'p-jobs', _id: 'g', _version: 3, result: 'noop', _seq_no: 9, _primary_term: 2, status: 200 } },
    ],
  };

  it('classifies every item in request order', () => {
    const s = classifyBulkItems(response, 'heartbeat');
    expect(s.items.map((i) => i.kind)).to.deep.equal(['ok', 'conflict', 'rejected', 'missing', 'missing', 'error', 'ok']);
    expect(s.items.map((i) => i.id)).to.deep.equal(['a', 'b', 'c', 'd', 'e', 'f', 'g']);
    expect([s.ok, s.conflicts, s.rejected, s.missing, s.errors]).to.deep.equal([2, 1, 1, 2, 1]);
    expect(s.items[0]).to.include({ seqNo: 0, primaryTerm: 1, result: 'created', error: undefined });
    expect(s.items[1]?.error).to.be.instanceOf(ConflictError);
    expect(s.items[2]?.error).to.be.instanceOf(BackpressureError);
    expect(s.items[3]?.error).to.be.instanceOf(NotFoundError);
    expect(s.items[3]?.error?.message).to.include('document [d] not found');
    expect(s.items[5]?.error?.name).to.equal('MappingError');
    expect(s.items[5]?.error?.message).to.include('heartbeat index [f]');
  });

  it('inspectBulk records conflicts and item rejections on the context', async () => {
    const client = new Client({ node: 'http://127.0.0.1:1' });
    const clock = new ManualClock(0);
    const ctx = createBackendContext({ client, prefix: 'bulk-test', pushbackClock: clock });
    const advisor = ctx.backpressure.batchSize('heartbeat', { max: 50 });
    inspectBulk(ctx, 'heartbeat', response);
    expect(ctx.metrics.conflicts.get('heartbeat')).to.equal(1);
    expect(advisor.size).to.equal(40);
    expect(ctx.backpressure.snapshot().recentRejections).to.equal(1);
    await client.close();
  });

  it('tolerates a malformed response', () => {
    expect(classifyBulkItems({}).items).to.deep.equal([]);
    expect(classifyBulkItems({ items: [{}] }).items[0]?.kind).to.equal('error');
  });
});
