import { expect } from 'chai';
import { TestStore, get, search } from './search-fixture.js';

describe('search: aggregations', () => {
  let store: TestStore;
  const day = 86_400_000;
  const t0 = Date.UTC(2024, 0, 1);

  beforeEach(() => {
    store = new TestStore();
    const idx = store.add('a-jobs', { queue: 'keyword', state: 'keyword', attempts: 'integer', took: 'double', at: 'date', ok: 'boolean', title: 'text' });
    const rows: [string, string, number, number, number, boolean][] = [
      ['mail', 'queued', 1, 1.5, t0, true],
      ['mail', 'active', 2, 2.5, t0 + 1000, true],
      ['mail', 'queued', 3, 3.5, t0 + day, false],
      ['sms', 'failed', 4, 4.5, t0 + 3 * day, false],
      ['push', 'queued', 5, 5.5, t0 + 3 * day + 5, true],
    ];
    rows.forEach(([queue, state, attempts, took, at, ok], i) => idx.put(String(i), { queue, state, attempts, took, at: new Date(at).toISOString(), ok, title: 'x' }));
    idx.put('nostate', { queue: 'mail' });
    idx.refresh();
  });

  const aggs = async (a: unknown, query: unknown = { match_all: {} }, params: Record<string, string> = {}): Promise<Record<string, unknown>> => {
    const r = await search(store, 'a-jobs', { size: 0, query, aggs: a }, params);
    expect(r.status, JSON.stringify(r.body)).to.equal(200);
    return r.body.aggregations as Record<string, unknown>;
  };

  it('terms: counts, order, size, sum_other_doc_count, missing, min_doc_count, sub-aggregations', async () => {
    const r = await aggs({ q: { terms: { field: 'queue', size: 2 }, aggs: { st: { terms: { field: 'state' } }, mx: { max: { field: 'attempts' } } } } });
    expect(r.q).to.deep.equal({
      doc_count_error_upper_bound: 0,
      sum_other_doc_count: 1,
      buckets: [
        {
          key: 'mail', doc_count: 4,
          st: { doc_count_error_upper_bound: 0, sum_other_doc_count: 0, buckets: [{ key: 'queued', doc_count: 2 }, { key: 'active', doc_count: 1 }] },
          mx: { value: 3 },
        },
        {
          key: 'push', doc_count: 1,
          st: { doc_count_error_upper_bound: 0, sum_other_doc_count: 0, buckets: [{ key: 'queued', doc_count: 1 }] },
          mx: { value: 5 },
        },
      ],
    });
    const byKey = await aggs({ s: { terms: { field: 'state', order: { _key: 'desc' }, missing: 'none' } } });
    expect((get(byKey, 's.buckets') as { key: string }[]).map((b) => b.key)).to.deep.equal(['queued', 'none', 'failed', 'active']);
    const num = await aggs({ n: { terms: { field: 'attempts', order: { _key: 'asc' }, size: 1 } }, b: { terms: { field: 'ok' } } });
    expect(get(num, 'n.buckets')).to.deep.equal([{ key: 1, doc_count: 1 }]);
    expect(get(num, 'b.buckets')).to.deep.equal([{ key: 1, key_as_string: 'true', doc_count: 3 }, { key: 0, key_as_string: 'false', doc_count: 2 }]);
    const filtered = await aggs({ q: { terms: { field: 'queue' } } }, { term: { state: 'queued' } });
    expect(get(filtered, 'q.buckets')).to.deep.equal([{ key: 'mail', doc_count: 2 }, { key: 'push', doc_count: 1 }]);
  });

  it('metrics: min, max, sum, avg, value_count, cardinality, with dates and empty sets', async () => {
    const r = await aggs({
      mn: { min: { field: 'attempts' } }, mx: { max: { field: 'took' } }, sm: { sum: { field: 'attempts' } }, av: { avg: { field: 'attempts' } },
      vc: { value_count: { field: 'state' } }, cd: { cardinality: { field: 'state' } }, first: { min: { field: 'at' } },
    });
    expect(r).to.deep.equal({
      mn: { value: 1 }, mx: { value: 5.5 }, sm: { value: 15 }, av: { value: 3 }, vc: { value: 5 }, cd: { value: 3 },
      first: { value: t0, value_as_string: '2024-01-01T00:00:00.000Z' },
    });
    const empty = await aggs({ mn: { min: { field: 'attempts' } }, sm: { sum: { field: 'attempts' } }, av: { avg: { field: 'attempts' } } }, { match_none: {} });
    expect(empty).to.deep.equal({ mn: { value: null }, sm: { value: 0 }, av: { value: null } });
  });

  it('date_histogram with calendar and fixed intervals, empty buckets, min_doc_count', async () => {
    const r = await aggs({ d: { date_histogram: { field: 'at', calendar_interval: 'day' } } });
    expect(get(r, 'd.buckets')).to.deep.equal([
      { key_as_string: '2024-01-01T00:00:00.000Z', key: t0, doc_count: 2 },
      { key_as_string: '2024-01-02T00:00:00.000Z', key: t0 + day, doc_count: 1 },
      { key_as_string: '2024-01-03T00:00:00.000Z', key: t0 + 2 * day, doc_count: 0 },
      { key_as_string: '2024-01-04T00:00:00.000Z', key: t0 + 3 * day, doc_count: 2 },
    ]);
    const fixed = await aggs({ d: { date_histogram: { field: 'at', fixed_interval: '2d', min_doc_count: 1, format: 'yyyy-MM-dd' }, aggs: { q: { terms: { field: 'queue' } } } } });
    // fixed intervals are aligned on the epoch, as in Elasticsearch
    expect(get(fixed, 'd.buckets.0.key_as_string')).to.equal('2023-12-31');
    expect((get(fixed, 'd.buckets') as { doc_count: number }[]).map((b) => b.doc_count)).to.deep.equal([2, 1, 2]);
    expect(get(fixed, 'd.buckets.0.q.buckets')).to.deep.equal([{ key: 'mail', doc_count: 2 }]);
    const month = await aggs({ d: { date_histogram: { field: 'at', calendar_interval: '1M' } } });
    expect(get(month, 'd.buckets')).to.deep.equal([{ key_as_string: '2024-01-01T00:00:00.000Z', key: t0, doc_count: 5 }]);
  });

  it('filter and filters, typed_keys', async () => {
    const r = await aggs({ f: { filter: { term: { queue: 'mail' } }, aggs: { s: { sum: { field: 'attempts' } } } }, fs: { filters: { filters: { q: { term: { state: 'queued' } }, f: { term: { state: 'failed' } } } } } });
    expect(r).to.deep.equal({ f: { doc_count: 4, s: { value: 6 } }, fs: { buckets: { q: { doc_count: 3 }, f: { doc_count: 1 } } } });
    const typed = await aggs({ q: { terms: { field: 'queue' } }, m: { max: { field: 'attempts' } } }, undefined, { typed_keys: 'true' });
    expect(Object.keys(typed)).to.deep.equal(['sterms#q', 'max#m']);
  });

  it('errors: unknown type, text field, metric with sub-aggregations', async () => {
    const unknown = await search(store, 'a-jobs', { aggs: { x: { foo: { field: 'queue' } } } });
    expect(unknown.status).to.equal(400);
    expect(get(unknown.body, 'error.type')).to.equal('named_object_not_found_exception');
    expect(get(unknown.body, 'error.reason')).to.match(/unknown field \[foo\]/);
    const text = await search(store, 'a-jobs', { aggs: { x: { terms: { field: 'title' } } } });
    expect(text.status).to.equal(400);
    expect(get(text.body, 'error.root_cause.0.reason')).to.match(/^Text fields are not optimised/);
    const subs = await search(store, 'a-jobs', { aggs: { x: { max: { field: 'attempts' }, aggs: { y: { min: { field: 'attempts' } } } } } });
    expect(get(subs.body, 'error.type')).to.equal('aggregation_initialization_exception');
  });
});
