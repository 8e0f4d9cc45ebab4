import { expect } from 'chai';
import { TestStore, deleteByQuery, get, ids, search } from './search-fixture.js';
import type { TestIndex } from './search-fixture.js';

describe('search: _delete_by_query', () => {
  let store: TestStore;
  let idx: TestIndex;

  beforeEach(() => {
    store = new TestStore();
    idx = store.add('d-jobs', { state: 'keyword', n: 'integer' });
    for (let i = 0; i < 10; i++) idx.put(`j${i}`, { state: i % 2 ? 'done' : 'queued', n: i });
    idx.refresh();
  });

  it('deletes the matching documents and reports Elasticsearch\'s body', async () => {
    const r = await deleteByQuery(store, 'd-jobs', { query: { term: { state: 'done' } } }, { refresh: 'true' });
    expect(r.status).to.equal(200);
    const { took, ...rest } = r.body;
    expect(took).to.be.a('number');
    expect(rest).to.deep.equal({
      timed_out: false, total: 5, deleted: 5, batches: 1, version_conflicts: 0, noops: 0, retries: { bulk: 0, search: 0 },
      throttled_millis: 0, requests_per_second: -1, throttled_until_millis: 0, failures: [],
    });
    const left = await search(store, 'd-jobs', { size: 20 });
    expect(ids(left.body).sort()).to.deep.equal(['j0', 'j2', 'j4', 'j6', 'j8']);
  });

  it('without refresh the deletions are not yet visible to search', async () => {
    await deleteByQuery(store, 'd-jobs', { query: { term: { state: 'done' } } });
    expect(idx.live.size).to.equal(5);
    expect(get((await search(store, 'd-jobs', {})).body, 'hits.total.value')).to.equal(10);
  });

  it('max_docs in the body or URL', async () => {
    const r = await deleteByQuery(store, 'd-jobs', { query: { match_all: {} }, max_docs: 3 });
    expect(get(r.body, 'deleted')).to.equal(3);
    const u = await deleteByQuery(store, 'd-jobs', { query: { match_all: {} } }, { max_docs: '2', refresh: 'true' });
    // the first three are still visible to search (not refreshed) and now conflict
    expect(get(u.body, 'total')).to.equal(1);
    expect(u.status).to.equal(409);
  });

  it('conflicts=abort stops at the first changed document with a 409; proceed counts and continues', async () => {
    idx.put('j1', { state: 'done', n: 100 }); // changed since the refresh: seq_no differs
    const abort = await deleteByQuery(store, 'd-jobs', { query: { term: { state: 'done' } } });
    expect(abort.status).to.equal(409);
    expect(get(abort.body, 'version_conflicts')).to.equal(1);
    expect(get(abort.body, 'deleted')).to.equal(0);
    const failure = get(abort.body, 'failures.0') as Record<string, unknown>;
    expect(failure.index).to.equal('d-jobs');
    expect(failure.id).to.equal('j1');
    expect(failure.status).to.equal(409);
    expect(get(failure, 'cause.type')).to.equal('version_conflict_engine_exception');
    expect(idx.live.has('j1')).to.equal(true);

    const proceed = await deleteByQuery(store, 'd-jobs', { query: { term: { state: 'done' } } }, { conflicts: 'proceed' });
    expect(proceed.status).to.equal(200);
    expect(get(proceed.body, 'version_conflicts')).to.equal(1);
    expect(get(proceed.body, 'deleted')).to.equal(4);
    expect(idx.live.has('j1')).to.equal(true);
  });

  it('validates its parameters', async () => {
    const c = await deleteByQuery(store, 'd-jobs', { query: { match_all: {} } }, { conflicts: 'maybe' });
    expect(get(c.body, 'error.reason')).to.equal('conflicts may only be "proceed" or "abort" but was [maybe]');
    const noQuery = await deleteByQuery(store, 'd-jobs', {});
    expect(noQuery.status).to.equal(400);
    expect(get(noQuery.body, 'error.type')).to.equal('action_request_validation_exception');
    const async_ = await deleteByQuery(store, 'd-jobs', { query: { match_all: {} } }, { wait_for_completion: 'false' });
    expect(async_.status).to.equal(400);
    const unknown = await deleteByQuery(store, 'd-jobs', { query: { match_all: {} } }, { bogus: '1' });
    expect(get(unknown.body, 'error.reason')).to.equal('request [/d-jobs/_delete_by_query] contains unrecognized parameter: [bogus]');
  });
});
