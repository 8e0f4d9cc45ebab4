import { expect } from 'chai';
import { TestStore, count, get, ids, search } from './search-fixture.js';
import type { TestIndex } from './search-fixture.js';

describe('search: query DSL', () => {
  let store: TestStore;
  let idx: TestIndex;

  beforeEach(() => {
    store = new TestStore();
    idx = store.add('q-jobs', {
      state: 'keyword',
      queue: 'keyword',
      priority: 'integer',
      runAt: 'date',
      title: 'text',
      'title.keyword': { type: 'keyword', copyOf: 'title' },
      done: 'boolean',
      score: 'double',
    });
    idx.put('1', { state: 'queued', queue: 'mail', priority: 5, runAt: '2024-01-15T11:00:00Z', title: 'Send the welcome mail', done: false, score: 1.5 });
    idx.put('2', { state: 'active', queue: 'mail', priority: 1, runAt: '2024-01-15T11:59:00Z', title: 'Send a reminder mail', done: false });
    idx.put('3', { state: 'queued', queue: 'sms', priority: 9, runAt: '2024-01-16T00:00:00Z', title: 'SMS welcome', done: true, score: 3 });
    idx.put('4', { state: 'completed', queue: 'sms', priority: 5, runAt: '2024-01-14T00:00:00Z', title: 'Old text', done: true });
    idx.refresh();
  });

  const q = async (query: unknown): Promise<string[]> => {
    const r = await search(store, 'q-jobs', { query, size: 100 });
    expect(r.status, JSON.stringify(r.body)).to.equal(200);
    return ids(r.body).sort();
  };

  it('match_all, match_none, ids', async () => {
    expect(await q({ match_all: {} })).to.deep.equal(['1', '2', '3', '4']);
    expect(await q({ match_none: {} })).to.deep.equal([]);
    expect(await q({ ids: { values: ['2', '4', 'nope'] } })).to.deep.equal(['2', '4']);
  });

  it('term in both forms, terms, case_insensitive, numbers and booleans', async () => {
    expect(await q({ term: { state: 'queued' } })).to.deep.equal(['1', '3']);
    expect(await q({ term: { state: { value: 'queued', boost: 2 } } })).to.deep.equal(['1', '3']);
    expect(await q({ term: { state: { value: 'QUEUED' } } })).to.deep.equal([]);
    expect(await q({ term: { state: { value: 'QUEUED', case_insensitive: true } } })).to.deep.equal(['1', '3']);
    expect(await q({ terms: { queue: ['sms', 'other'] } })).to.deep.equal(['3', '4']);
    expect(await q({ term: { priority: '5' } })).to.deep.equal(['1', '4']);
    expect(await q({ term: { done: 'true' } })).to.deep.equal(['3', '4']);
    expect(await q({ term: { nothere: 'x' } })).to.deep.equal([]);
    expect(await q({ term: { _id: '3' } })).to.deep.equal(['3']);
  });

  it('range on numbers, keywords and dates with date math', async () => {
    expect(await q({ range: { priority: { gt: 1, lte: 5 } } })).to.deep.equal(['1', '4']);
    expect(await q({ range: { state: { gte: 'b', lt: 'q' } } })).to.deep.equal(['4']);
    expect(await q({ range: { runAt: { lte: 'now' } } })).to.deep.equal(['1', '2', '4']);
    expect(await q({ range: { runAt: { gte: 'now-30m' } } })).to.deep.equal(['2', '3']);
    // now/d rounds down for gte and up for lte
    expect(await q({ range: { runAt: { gte: 'now/d', lte: 'now/d' } } })).to.deep.equal(['1', '2']);
    expect(await q({ range: { runAt: { gt: '2024-01-15||/d' } } })).to.deep.equal(['3']);
    expect(await q({ range: { runAt: { gte: '15/01/2024', format: 'dd/MM/yyyy' } } })).to.deep.equal(['1', '2', '3']);
    expect(await q({ range: { runAt: { lte: '2024-01-15T12:00:00', time_zone: '+01:00' } } })).to.deep.equal(['1', '4']);
    expect(await q({ range: { runAt: { gte: Date.UTC(2024, 0, 16) } } })).to.deep.equal(['3']);
  });

  it('exists, prefix, wildcard', async () => {
    expect(await q({ exists: { field: 'score' } })).to.deep.equal(['1', '3']);
    expect(await q({ prefix: { queue: 'm' } })).to.deep.equal(['1', '2']);
    expect(await q({ prefix: { queue: { value: 'S', case_insensitive: true } } })).to.deep.equal(['3', '4']);
    expect(await q({ wildcard: { state: 'qu*d' } })).to.deep.equal(['1', '3']);
    expect(await q({ wildcard: { state: { value: '?ctive' } } })).to.deep.equal(['2']);
  });

  it('bool with filter/must/must_not/should and minimum_should_match', async () => {
    expect(await q({ bool: { filter: [{ term: { state: 'queued' } }, { term: { queue: 'mail' } }] } })).to.deep.equal(['1']);
    expect(await q({ bool: { must_not: { term: { state: 'queued' } } } })).to.deep.equal(['2', '4']);
    expect(await q({ bool: { should: [{ term: { queue: 'sms' } }, { term: { priority: 1 } }] } })).to.deep.equal(['2', '3', '4']);
    expect(
      await q({ bool: { should: [{ term: { queue: 'sms' } }, { term: { done: true } }, { term: { state: 'queued' } }], minimum_should_match: 2 } }),
    ).to.deep.equal(['3', '4']);
    expect(
      await q({ bool: { should: [{ term: { queue: 'sms' } }, { term: { done: true } }, { term: { state: 'queued' } }], minimum_should_match: '100%' } }),
    ).to.deep.equal(['3']);
    // with a filter, should clauses are optional
    expect(await q({ bool: { filter: { term: { queue: 'mail' } }, should: { term: { state: 'nope' } } } })).to.deep.equal(['1', '2']);
    expect(await q({ bool: { must: { bool: { should: [{ term: { state: 'active' } }, { term: { state: 'completed' } }] } } } })).to.deep.equal(['2', '4']);
  });

  it('match on text (analyzed, operator), on keyword (exact), constant_score, multi_match', async () => {
    expect(await q({ match: { title: 'WELCOME' } })).to.deep.equal(['1', '3']);
    expect(await q({ match: { title: 'send welcome' } })).to.deep.equal(['1', '2', '3']);
    expect(await q({ match: { title: { query: 'send welcome', operator: 'and' } } })).to.deep.equal(['1']);
    expect(await q({ match: { 'title.keyword': 'SMS welcome' } })).to.deep.equal(['3']);
    expect(await q({ match: { 'title.keyword': 'sms' } })).to.deep.equal([]);
    expect(await q({ constant_score: { filter: { term: { queue: 'sms' } }, boost: 3 } })).to.deep.equal(['3', '4']);
    expect(await q({ multi_match: { query: 'mail', fields: ['title', 'queue'] } })).to.deep.equal(['1', '2']);
  });

  it('scores: filters 0, match_all 1, constant_score boost, match ranks the better match first', async () => {
    const f = await search(store, 'q-jobs', { query: { bool: { filter: { term: { queue: 'sms' } } } } });
    expect(get(f.body, 'hits.max_score')).to.equal(0);
    const all = await search(store, 'q-jobs', {});
    expect(get(all.body, 'hits.max_score')).to.equal(1);
    const cs = await search(store, 'q-jobs', { query: { constant_score: { filter: { term: { queue: 'sms' } }, boost: 3 } } });
    expect(get(cs.body, 'hits.hits.0._score')).to.equal(3);
    const m = await search(store, 'q-jobs', { query: { match: { title: 'welcome sms' } } });
    expect(ids(m.body)[0]).to.equal('3');
    const s0 = get(m.body, 'hits.hits.0._score') as number;
    const s1 = get(m.body, 'hits.hits.1._score') as number;
    expect(s0).to.be.greaterThan(s1).and.greaterThan(0);
    expect(get(m.body, 'hits.max_score')).to.equal(s0);
  });

  it('rejects unknown and malformed queries with Elasticsearch errors', async () => {
    const unknown = await search(store, 'q-jobs', { query: { foo: { a: 1 } } });
    expect(unknown.status).to.equal(400);
    expect(get(unknown.body, 'error.type')).to.equal('parsing_exception');
    expect(get(unknown.body, 'error.reason')).to.equal('unknown query [foo]');
    expect(get(unknown.body, 'error.root_cause.0.type')).to.equal('parsing_exception');
    expect(get(unknown.body, 'status')).to.equal(400);

    const multi = await search(store, 'q-jobs', { query: { term: { a: 1, b: 2 } } });
    expect(get(multi.body, 'error.reason')).to.equal("[term] query doesn't support multiple fields, found [a] and [b]");
    const badKey = await search(store, 'q-jobs', { query: { term: { state: { value: 'x', foo: 1 } } } });
    expect(get(badKey.body, 'error.reason')).to.equal('[term] query does not support [foo]');
    const two = await search(store, 'q-jobs', { query: { match_all: {}, term: { a: 1 } } });
    expect(get(two.body, 'error.type')).to.equal('parsing_exception');
    const body = await search(store, 'q-jobs', { querry: {} });
    expect(get(body.body, 'error.reason')).to.equal('Unknown key for a START_OBJECT in [querry].');
    const param = await search(store, 'q-jobs', {}, { foo: 'bar' });
    expect(param.status).to.equal(400);
    expect(get(param.body, 'error.reason')).to.equal('request [/q-jobs/_search] contains unrecognized parameter: [foo]');
    const json = await search(store, 'q-jobs', '{"query": ');
    expect(json.status).to.equal(400);
    expect(get(json.body, 'error.type')).to.equal('x_content_parse_exception');
    const num = await search(store, 'q-jobs', { query: { term: { priority: 'abc' } } });
    expect(num.status).to.equal(400);
    expect(get(num.body, 'error.type')).to.equal('search_phase_execution_exception');
    expect(get(num.body, 'error.root_cause.0.type')).to.equal('query_shard_exception');
    const date = await search(store, 'q-jobs', { query: { range: { runAt: { gte: 'yesterday' } } } });
    expect(get(date.body, 'error.root_cause.0.type')).to.equal('parse_exception');
    expect(String(get(date.body, 'error.root_cause.0.reason'))).to.match(/failed to parse date field \[yesterday\]/);
  });

  it('only sees refreshed documents', async () => {
    idx.put('5', { state: 'queued', queue: 'mail' });
    expect(await q({ term: { state: 'queued' } })).to.deep.equal(['1', '3']);
    idx.remove('1');
    idx.refresh();
    expect(await q({ term: { state: 'queued' } })).to.deep.equal(['3', '5']);
  });

  it('_count with and without a query, q parameter, unknown body key', async () => {
    const all = await count(store, 'q-jobs');
    expect(all.body).to.deep.equal({ count: 4, _shards: { total: 1, successful: 1, skipped: 0, failed: 0 } });
    expect(get((await count(store, 'q-jobs', { query: { term: { queue: 'sms' } } })).body, 'count')).to.equal(2);
    expect(get((await count(store, 'q-jobs', undefined, { q: 'state:queued' })).body, 'count')).to.equal(2);
    const bad = await count(store, 'q-jobs', { size: 3 });
    expect(bad.status).to.equal(400);
    expect(get(bad.body, 'error.type')).to.equal('parsing_exception');
  });

  it('multi-index search, wildcards and missing indices', async () => {
    const other = store.add('q-other', { state: 'keyword' });
    other.put('x', { state: 'queued' });
    other.refresh();
    const r = await search(store, 'q-*', { query: { term: { state: 'queued' } } });
    expect(ids(r.body).sort()).to.deep.equal(['1', '3', 'x']);
    expect(get(r.body, '_shards.total')).to.equal(2);
    const missing = await search(store, 'nope', {});
    expect(missing.status).to.equal(404);
    expect(get(missing.body, 'error.type')).to.equal('index_not_found_exception');
    const ignored = await search(store, 'nope,q-other', {}, { ignore_unavailable: 'true' });
    expect(ids(ignored.body)).to.deep.equal(['x']);
  });
});
