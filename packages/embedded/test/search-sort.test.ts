import { expect } from 'chai';
import { TestStore, get, ids, search } from './search-fixture.js';
import type { TestIndex } from './search-fixture.js';

describe('search: sort, paging, hits', () => {
  let store: TestStore;
  let idx: TestIndex;
  const t0 = Date.UTC(2024, 0, 1);

  beforeEach(() => {
    store = new TestStore();
    idx = store.add('s-jobs', { jobId: 'keyword', state: 'keyword', priority: 'integer', runAt: 'date', tags: 'keyword', title: 'text', nested: 'keyword' });
    // priority desc, runAt asc, jobId asc: expected order c, a, b, e, d
    idx.put('a', { jobId: 'a', state: 'queued', priority: 5, runAt: new Date(t0 + 2000).toISOString(), tags: ['x', 'y'], obj: { keep: 1, drop: 2 } });
    idx.put('b', { jobId: 'b', state: 'queued', priority: 5, runAt: new Date(t0 + 2000).toISOString(), tags: ['m'] });
    idx.put('c', { jobId: 'c', state: 'queued', priority: 9, runAt: new Date(t0 + 9000).toISOString() });
    idx.put('d', { jobId: 'd', state: 'active', priority: 1, runAt: new Date(t0).toISOString() });
    idx.put('e', { jobId: 'e', state: 'queued', priority: 5, runAt: new Date(t0 + 5000).toISOString(), tags: ['a', 'z'] });
    idx.refresh();
  });

  const claimSort = [{ priority: 'desc' }, { runAt: { order: 'asc' } }, { jobId: 'asc' }];

  it('sorts on several fields and returns sort values as Elasticsearch does', async () => {
    const r = await search(store, 's-jobs', { sort: claimSort });
    expect(ids(r.body)).to.deep.equal(['c', 'a', 'b', 'e', 'd']);
    expect(get(r.body, 'hits.hits.1.sort')).to.deep.equal([5, t0 + 2000, 'a']);
    expect(get(r.body, 'hits.hits.1._score')).to.equal(null);
    expect(get(r.body, 'hits.max_score')).to.equal(null);
  });

  it('keeps the cached sort order correct across refreshes (updates, deletes, inserts)', async () => {
    await search(store, 's-jobs', { sort: claimSort });
    idx.put('d', { jobId: 'd', state: 'queued', priority: 7, runAt: new Date(t0).toISOString() });
    idx.remove('c');
    idx.put('f', { jobId: 'f', state: 'queued', priority: 5, runAt: new Date(t0 + 2000).toISOString() });
    idx.refresh();
    const r = await search(store, 's-jobs', { sort: claimSort });
    expect(ids(r.body)).to.deep.equal(['d', 'a', 'b', 'f', 'e']);
    const f = await search(store, 's-jobs', { query: { bool: { filter: [{ term: { state: 'queued' } }, { range: { runAt: { lte: t0 + 2000 } } }] } }, sort: claimSort, size: 2 });
    expect(ids(f.body)).to.deep.equal(['d', 'a']);
    expect(get(f.body, 'hits.total')).to.deep.equal({ value: 4, relation: 'eq' });
  });

  it('search_after pages through in order with the returned sort values', async () => {
    const seen: string[] = [];
    let after: unknown[] | undefined;
    for (let page = 0; page < 4; page++) {
      const body: Record<string, unknown> = { sort: claimSort, size: 2 };
      if (after) body.search_after = after;
      const r = await search(store, 's-jobs', JSON.parse(JSON.stringify(body)));
      const hits = get(r.body, 'hits.hits') as { _id: string; sort: unknown[] }[];
      if (hits.length === 0) break;
      seen.push(...hits.map((h) => h._id));
      after = hits[hits.length - 1]?.sort;
    }
    expect(seen).to.deep.equal(['c', 'a', 'b', 'e', 'd']);
    const bad = await search(store, 's-jobs', { sort: claimSort, search_after: [1] });
    expect(bad.status).to.equal(400);
  });

  it('missing values: _last by default, _first, a custom value; unmapped_type; mode', async () => {
    const last = await search(store, 's-jobs', { sort: [{ tags: 'asc' }, { jobId: 'asc' }] });
    expect(ids(last.body)).to.deep.equal(['e', 'b', 'a', 'c', 'd']);
    expect(get(last.body, 'hits.hits.3.sort')).to.deep.equal([null, 'c']);
    const maxMode = await search(store, 's-jobs', { sort: [{ tags: { order: 'desc', missing: '_first' } }, 'jobId'] });
    expect(ids(maxMode.body)).to.deep.equal(['c', 'd', 'e', 'a', 'b']);
    const custom = await search(store, 's-jobs', { sort: [{ tags: { order: 'asc', missing: 'n' } }, 'jobId'] });
    expect(ids(custom.body)).to.deep.equal(['e', 'b', 'c', 'd', 'a']);
    const minMode = await search(store, 's-jobs', { sort: [{ tags: { order: 'asc', mode: 'max' } }, 'jobId'] });
    expect(ids(minMode.body).slice(0, 3)).to.deep.equal(['b', 'a', 'e']);
    const unmapped = await search(store, 's-jobs', { sort: [{ nope: { order: 'asc', unmapped_type: 'long' } }, 'jobId'] });
    expect(ids(unmapped.body)).to.deep.equal(['a', 'b', 'c', 'd', 'e']);
    const longMissing = await search(store, 's-jobs', { sort: [{ nope: { unmapped_type: 'long' } }], size: 1 });
    expect(get(longMissing.body, 'hits.hits.0.sort')).to.deep.equal([2 ** 63]);
  });

  it('sorting errors: unmapped field, text field', async () => {
    const unmapped = await search(store, 's-jobs', { sort: ['nope'] });
    expect(unmapped.status).to.equal(400);
    expect(get(unmapped.body, 'error.type')).to.equal('search_phase_execution_exception');
    expect(get(unmapped.body, 'error.root_cause.0')).to.deep.equal({ type: 'query_shard_exception', reason: 'No mapping found for [nope] in order to sort on' });
    const text = await search(store, 's-jobs', { sort: ['title'] });
    expect(text.status).to.equal(400);
    expect(get(text.body, 'error.root_cause.0.type')).to.equal('illegal_argument_exception');
    expect(String(get(text.body, 'error.root_cause.0.reason'))).to.match(/^Text fields are not optimised/);
  });

  it('_score and _doc sorts, date format on sort', async () => {
    const doc = await search(store, 's-jobs', { sort: ['_doc'] });
    expect(ids(doc.body)).to.deep.equal(['a', 'b', 'c', 'd', 'e']);
    const fmt = await search(store, 's-jobs', { sort: [{ runAt: { order: 'asc', format: 'strict_date_optional_time' } }], size: 1 });
    expect(get(fmt.body, 'hits.hits.0.sort')).to.deep.equal([new Date(t0).toISOString()]);
    const sc = await search(store, 's-jobs', { query: { constant_score: { filter: { term: { state: 'active' } }, boost: 2 } }, sort: ['_score'] });
    expect(get(sc.body, 'hits.hits.0.sort')).to.deep.equal([2]);
    expect(get(sc.body, 'hits.hits.0._score')).to.equal(2);
  });

  it('from/size, URL sort, max_result_window, negative size', async () => {
    const page = await search(store, 's-jobs', { sort: claimSort, from: 1, size: 2 });
    expect(ids(page.body)).to.deep.equal(['a', 'b']);
    const url = await search(store, 's-jobs', undefined, { sort: 'priority:desc,jobId', size: '3' });
    expect(ids(url.body)).to.deep.equal(['c', 'a', 'b']);
    const big = await search(store, 's-jobs', { from: 9999, size: 2 });
    expect(big.status).to.equal(400);
    expect(get(big.body, 'error.root_cause.0.reason')).to.equal(
      'Result window is too large, from + size must be less than or equal to: [10000] but was [10001]. See the scroll api for a more efficient way to request large data sets. This limit can be set by changing the [index.max_result_window] index level setting.',
    );
    const neg = await search(store, 's-jobs', { size: -1 });
    expect(get(neg.body, 'error.reason')).to.equal('[size] parameter cannot be negative, found [-1]');
  });

  it('track_total_hits true/false/number and rest_total_hits_as_int', async () => {
    expect(get((await search(store, 's-jobs', {})).body, 'hits.total')).to.deep.equal({ value: 5, relation: 'eq' });
    expect(get((await search(store, 's-jobs', { track_total_hits: 3 })).body, 'hits.total')).to.deep.equal({ value: 3, relation: 'gte' });
    expect(get((await search(store, 's-jobs', { track_total_hits: 3, sort: claimSort })).body, 'hits.total')).to.deep.equal({ value: 3, relation: 'gte' });
    const off = await search(store, 's-jobs', { track_total_hits: false, sort: claimSort, size: 1 });
    expect(get(off.body, 'hits')).to.not.have.property('total');
    expect(ids(off.body)).to.deep.equal(['c']);
    expect(get((await search(store, 's-jobs', undefined, { rest_total_hits_as_int: 'true' })).body, 'hits.total')).to.equal(5);
    const bad = await search(store, 's-jobs', undefined, { rest_total_hits_as_int: 'true', track_total_hits: '100' });
    expect(get(bad.body, 'error.reason')).to.equal('[rest_total_hits_as_int] cannot be used if the tracking of total hits is not accurate, got 100');
    const neg = await search(store, 's-jobs', { track_total_hits: -2 });
    expect(get(neg.body, 'error.reason')).to.equal('[track_total_hits] parameter must be positive or equals to -1, got -2');
  });

  it('hit metadata and _source filtering', async () => {
    const r = await search(store, 's-jobs', { query: { ids: { values: ['a'] } }, seq_no_primary_term: true, version: true, _source: { includes: ['obj.*', 'jobId'], excludes: ['obj.drop'] } });
    const hit = get(r.body, 'hits.hits.0') as Record<string, unknown>;
    expect(Object.keys(hit)).to.deep.equal(['_index', '_id', '_version', '_seq_no', '_primary_term', '_score', '_source']);
    expect(hit._seq_no).to.equal(0);
    expect(hit._version).to.equal(1);
    expect(hit._source).to.deep.equal({ jobId: 'a', obj: { keep: 1 } });
    const off = await search(store, 's-jobs', { _source: false, query: { ids: { values: ['a'] } } });
    expect(get(off.body, 'hits.hits.0')).to.not.have.property('_source');
    const url = await search(store, 's-jobs', { _source: 'tags', query: { ids: { values: ['a'] } } }, { _source_includes: 'obj.keep' });
    expect(get(url.body, 'hits.hits.0._source')).to.deep.equal({ obj: { keep: 1 } });
    const ex = await search(store, 's-jobs', { query: { ids: { values: ['a'] } } }, { _source_excludes: 'obj,tags,runAt' });
    expect(get(ex.body, 'hits.hits.0._source')).to.deep.equal({ jobId: 'a', state: 'queued', priority: 5 });
  });

  it('docvalue_fields: doc values per hit, dates formatted, numeric format, URL form', async () => {
    const r = await search(store, 's-jobs', { query: { ids: { values: ['a'] } }, docvalue_fields: ['tags', 'runAt', { field: 'priority', format: '#.0' }, 'nope'] });
    expect(get(r.body, 'hits.hits.0.fields')).to.deep.equal({ tags: ['x', 'y'], runAt: [new Date(t0 + 2000).toISOString()], priority: ['5.0'] });
    const url = await search(store, 's-jobs', { query: { ids: { values: ['c'] } } }, { docvalue_fields: 'priority,tags' });
    expect(get(url.body, 'hits.hits.0.fields')).to.deep.equal({ priority: [9] });
    const text = await search(store, 's-jobs', { docvalue_fields: ['title'], query: { ids: { values: ['a'] } } });
    expect(text.status).to.equal(400);
  });

  it('terms filter on a multi-valued field over a partitioned order returns each document once', async () => {
    const big = store.add('s-multi', { jobId: 'keyword', tags: 'keyword', n: 'integer' });
    for (let i = 0; i < 300; i++) big.put(`m${i}`, { jobId: `m${i}`, tags: i % 2 ? ['red', 'blue'] : ['red'], n: i });
    big.refresh();
    const r = await search(store, 's-multi', { query: { bool: { filter: { terms: { tags: ['red', 'blue'] } } } }, sort: [{ n: 'asc' }], size: 6, track_total_hits: true });
    expect(ids(r.body)).to.deep.equal(['m0', 'm1', 'm2', 'm3', 'm4', 'm5']);
    expect(get(r.body, 'hits.total.value')).to.equal(300);
  });

  it('claimer slices (term + numeric range): per-slice orders stay equal to a fresh sort as documents change slice, slices move and idle slices are dropped', async () => {
    const big = store.add('s-slices', { jobId: 'keyword', state: 'keyword', priority: 'integer', part: 'integer' });
    for (let i = 0; i < 6000; i++) big.put(`j${i}`, { jobId: `j${i}`, state: i % 3 ? 'queued' : 'done', priority: i % 7, part: (i * 37) % 64 });
    big.refresh();
    const sort = [{ priority: 'desc' }, { jobId: 'asc' }];
    const slice = (from: number, to: number) => ({ bool: { filter: [{ range: { part: { gte: from, lt: to } } }, { term: { state: 'queued' } }] } });
    const expected = (from: number, to: number, after?: [number, string]) =>
      [...big.live.values()]
        .filter((d) => d.source.state === 'queued' && Number(d.source.part) >= from && Number(d.source.part) < to)
        .sort((a, b) => Number(b.source.priority) - Number(a.source.priority) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
        .filter((d) => after === undefined || Number(d.source.priority) < after[0] || (Number(d.source.priority) === after[0] && d.id > after[1]))
        .slice(0, 50)
        .map((d) => d.id);
    const check = async (from: number, to: number): Promise<void> => {
      const r = await search(store, 's-slices', { query: slice(from, to), sort, size: 50, track_total_hits: false });
      expect(ids(r.body), `slice ${from}-${to}`).to.deep.equal(expected(from, to));
      const last = get(r.body, 'hits.hits.49.sort') as [number, string];
      const next = await search(store, 's-slices', { query: slice(from, to), sort, size: 50, track_total_hits: false, search_after: last });
      expect(ids(next.body), `slice ${from}-${to} after ${String(last)}`).to.deep.equal(expected(from, to, last));
      const counted = await search(store, 's-slices', { query: slice(from, to), sort, size: 1, track_total_hits: true });
      expect(get(counted.body, 'hits.total.value')).to.equal([...big.live.values()].filter((d) => d.source.state === 'queued' && Number(d.source.part) >= from && Number(d.source.part) < to).length);
    };
    const change = (round: number, n: number): void => {
      for (let k = 0; k < n; k++) {
        const i = (round * 997 + k * 131) % 6000;
        if (k % 7 === 0) big.remove(`j${i}`);
        // moves between slices and in and out of `queued`
        else big.put(`j${i}`, { jobId: `j${i}`, state: k % 2 ? 'queued' : 'done', priority: (i + round) % 9, part: (i + round * 13) % 64 });
      }
      big.refresh();
    };
    const four = [[0, 16], [16, 32], [32, 48], [48, 64]] as const;
    for (const [from, to] of four) await check(from, to);
    for (let round = 0; round < 3; round++) {
      change(round, 40);
      for (const [from, to] of four) await check(from, to);
    }
    // a claimer left: three slices now, the old lists are no longer asked for
    const three = [[0, 21], [21, 42], [42, 64]] as const;
    for (let round = 3; round < 6; round++) {
      change(round, 400); // large enough for a full merge rather than in-place patches
      for (const [from, to] of three) await check(from, to);
    }
    // long enough without a search of slice 16-32 for its lists to be dropped, then asked again
    for (let round = 6; round < 45; round++) {
      change(round, 5);
      await check(0, 21);
    }
    await check(16, 32);
  });

  it('response envelope', async () => {
    const r = await search(store, 's-jobs', { size: 0 });
    expect(r.body).to.have.keys(['took', 'timed_out', '_shards', 'hits']);
    expect(r.body._shards).to.deep.equal({ total: 1, successful: 1, skipped: 0, failed: 0 });
    expect(r.body.hits).to.deep.equal({ total: { value: 5, relation: 'eq' }, max_score: null, hits: [] });
  });

  it('large indexes: cached (global and per-term) orders stay equal to a fresh sort after small refreshes', async () => {
    const big = store.add('s-big', { jobId: 'keyword', state: 'keyword', priority: 'integer' });
    for (let i = 0; i < 6000; i++) big.put(`j${i}`, { jobId: `j${i}`, state: i % 3 ? 'queued' : 'done', priority: i % 7 });
    big.refresh();
    const sort = [{ priority: 'desc' }, { jobId: 'asc' }];
    const queued = { bool: { filter: { term: { state: 'queued' } } } };
    await search(store, 's-big', { sort, size: 50, track_total_hits: false });
    await search(store, 's-big', { query: queued, sort, size: 50, track_total_hits: false });
    for (let round = 0; round < 3; round++) {
      for (let k = 0; k < 30; k++) {
        const i = (round * 997 + k * 131) % 6000;
        if (k % 5 === 0) big.remove(`j${i}`);
        else big.put(`j${i}`, { jobId: `j${i}`, state: k % 2 ? 'queued' : 'done', priority: (i + round) % 9 });
      }
      big.refresh();
      const expected = [...big.live.values()]
        .filter((d) => d.source.state === 'queued')
        .sort((a, b) => Number(b.source.priority) - Number(a.source.priority) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
        .slice(0, 50)
        .map((d) => d.id);
      const r = await search(store, 's-big', { query: queued, sort, size: 50, track_total_hits: false });
      expect(ids(r.body)).to.deep.equal(expected);
      const all = await search(store, 's-big', { sort, size: 20, track_total_hits: false });
      expect(ids(all.body)).to.have.length(20);
      const counted = await search(store, 's-big', { query: queued, sort, size: 1, track_total_hits: true });
      expect(get(counted.body, 'hits.total.value')).to.equal([...big.live.values()].filter((d) => d.source.state === 'queued').length);
    }
  });
});
