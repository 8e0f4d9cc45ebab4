import { expect } from 'chai';
import { engineCall } from './engine-call.js';
import { Engine } from '../src/engine.js';

/** Search through the real store and router (Engine.handle), as clients reach it. */
describe('search: through the engine', () => {
  let engine: Engine;

  const call = engineCall(() => engine);

  beforeEach(async () => {
    engine = new Engine();
    const created = await call('PUT', '/se-jobs', {
      mappings: { dynamic: 'strict', properties: { jobId: { type: 'keyword' }, state: { type: 'keyword' }, priority: { type: 'integer' }, runAt: { type: 'date' }, title: { type: 'text', fields: { raw: { type: 'keyword' } } } } },
    });
    expect(created.status, JSON.stringify(created.body)).to.equal(200);
    const lines: string[] = [];
    for (let i = 0; i < 30; i++) {
      lines.push(JSON.stringify({ index: { _id: `j${i}` } }));
      lines.push(JSON.stringify({ jobId: `j${String(i).padStart(2, '0')}`, state: i % 3 === 0 ? 'active' : 'queued', priority: i % 4, runAt: new Date(Date.now() - 60_000 + i * 10_000).toISOString(), title: `job number ${i}` }));
    }
    const bulk = await call('POST', '/se-jobs/_bulk', `${lines.join('\n')}\n`, { refresh: 'true' });
    expect(bulk.status, JSON.stringify(bulk.body)).to.equal(200);
    expect(bulk.body.errors).to.equal(false);
  });

  it('runs the claim-shaped search with seq_no_primary_term and search_after', async () => {
    const body = {
      query: { bool: { filter: [{ term: { state: 'queued' } }, { range: { runAt: { lte: 'now' } } }] } },
      sort: [{ priority: 'desc' }, { runAt: 'asc' }, { jobId: 'asc' }],
      size: 3,
      seq_no_primary_term: true,
      track_total_hits: false,
    };
    const r = await call('POST', '/se-jobs/_search', body);
    expect(r.status, JSON.stringify(r.body)).to.equal(200);
    const hits = (r.body.hits as { hits: { _id: string; _seq_no: number; _primary_term: number; sort: unknown[]; _source: { state: string; priority: number } }[] }).hits;
    expect(hits).to.have.length(3);
    for (const h of hits) {
      expect(h._source.state).to.equal('queued');
      expect(h._seq_no).to.be.a('number');
      expect(h._primary_term).to.equal(1);
    }
    expect(hits.map((h) => h._source.priority)).to.deep.equal([...hits.map((h) => h._source.priority)].sort((a, b) => b - a));
    const last = hits[hits.length - 1];
    const next = await call('POST', '/se-jobs/_search', { ...body, search_after: last?.sort });
    const nextIds = (next.body.hits as { hits: { _id: string }[] }).hits.map((h) => h._id);
    expect(nextIds).to.not.include.members(hits.map((h) => h._id));
  });

  it('is near-real-time: unrefreshed writes are invisible until refresh', async () => {
    await call('PUT', '/se-jobs/_doc/new', { jobId: 'new', state: 'queued', priority: 9, runAt: new Date().toISOString() });
    const before = await call('POST', '/se-jobs/_count', { query: { term: { jobId: 'new' } } });
    expect(before.body.count).to.equal(0);
    await call('POST', '/se-jobs/_refresh');
    const after = await call('POST', '/se-jobs/_count', { query: { term: { jobId: 'new' } } });
    expect(after.body.count).to.equal(1);
  });

  it('match on text and its keyword multi-field, aggregations, filter_path', async () => {
    const m = await call('POST', '/se-jobs/_search', { query: { match: { title: 'NUMBER 7' } }, size: 1 });
    expect((m.body.hits as { hits: { _id: string }[] }).hits[0]?._id).to.equal('j7');
    const k = await call('POST', '/se-jobs/_count', { query: { term: { 'title.raw': 'job number 7' } } });
    expect(k.body.count).to.equal(1);
    const a = await call('POST', '/se-jobs/_search', { size: 0, aggs: { s: { terms: { field: 'state' } } } }, { filter_path: 'aggregations' });
    expect(a.body).to.deep.equal({ aggregations: { s: { doc_count_error_upper_bound: 0, sum_other_doc_count: 0, buckets: [{ key: 'queued', doc_count: 20 }, { key: 'active', doc_count: 10 }] } } });
  });

  it('_delete_by_query removes through conditional deletes and refreshes on request', async () => {
    const r = await call('POST', '/se-jobs/_delete_by_query', { query: { term: { state: 'active' } } }, { refresh: 'true' });
    expect(r.status, JSON.stringify(r.body)).to.equal(200);
    expect(r.body.deleted).to.equal(10);
    expect((await call('GET', '/se-jobs/_count')).body.count).to.equal(20);
    const gone = await call('GET', '/se-jobs/_doc/j0');
    expect(gone.status).to.equal(404);
  });

  it('unknown query and missing index errors', async () => {
    const q = await call('POST', '/se-jobs/_search', { query: { nope: {} } });
    expect(q.status).to.equal(400);
    expect((q.body.error as { type: string }).type).to.equal('parsing_exception');
    const missing = await call('POST', '/se-missing/_search', {});
    expect(missing.status).to.equal(404);
  });
});
