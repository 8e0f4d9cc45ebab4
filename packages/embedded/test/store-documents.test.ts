import { expect } from 'chai';
import { Engine } from '../src/engine.js';
import { IndexState } from '../src/store/index-state.js';
import type { EngineRequest, EngineResponse } from '../src/contracts.js';

type Body = Record<string, unknown>;

function call(engine: Engine, method: EngineRequest['method'], path: string, body?: unknown, query: Record<string, string> = {}): Promise<EngineResponse> {
  const raw = body === undefined ? undefined : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
  return engine.handle({ method, path, query, headers: {}, body: raw });
}

function errorOf(res: EngineResponse): Body {
  return (res.body as { error: Body }).error;
}

describe('store: documents', () => {
  let engine: Engine;
  beforeEach(() => {
    engine = new Engine();
  });
  afterEach(async () => {
    await engine.close();
  });

  it('GET / reports an 8.x cluster with the product header', async () => {
    const res = await call(engine, 'GET', '/');
    expect(res.status).to.equal(200);
    expect(res.headers?.['x-elastic-product']).to.equal('Elasticsearch');
    const body = res.body as { version: { number: string; build_flavor: string }; tagline: string };
    expect(body.version.number).to.match(/^8\./);
    expect(body.version.build_flavor).to.equal('default');
    expect(body.tagline).to.equal('You Know, for Search');
    const head = await call(engine, 'HEAD', '/');
    expect(head.status).to.equal(200);
    expect(head.body).to.equal(undefined);
  });

  it('indexes with sequence numbers and versions, reads in real time, deletes', async () => {
    const created = await call(engine, 'PUT', '/docs/_doc/1', { a: 1 });
    expect(created.status).to.equal(201);
    expect(created.body).to.deep.include({ _index: 'docs', _id: '1', _version: 1, result: 'created', _seq_no: 0, _primary_term: 1 });
    const updated = await call(engine, 'PUT', '/docs/_doc/1', { a: 2 });
    expect(updated.status).to.equal(200);
    expect(updated.body).to.deep.include({ _version: 2, result: 'updated', _seq_no: 1 });
    const got = await call(engine, 'GET', '/docs/_doc/1');
    expect(got.body).to.deep.equal({ _index: 'docs', _id: '1', _version: 2, _seq_no: 1, _primary_term: 1, found: true, _source: { a: 2 } });
    const deleted = await call(engine, 'DELETE', '/docs/_doc/1');
    expect(deleted.body).to.deep.include({ result: 'deleted', _version: 3, _seq_no: 2 });
    const missing = await call(engine, 'GET', '/docs/_doc/1');
    expect(missing.status).to.equal(404);
    expect(missing.body).to.deep.equal({ _index: 'docs', _id: '1', found: false });
    const again = await call(engine, 'DELETE', '/docs/_doc/1');
    expect(again.status).to.equal(404);
    expect((again.body as Body)['result']).to.equal('not_found');
    // the version continues after a delete, as Elasticsearch remembers deleted versions
    const recreated = await call(engine, 'PUT', '/docs/_doc/1', { a: 3 });
    expect(recreated.body).to.deep.include({ result: 'created', _version: 5 });
  });

  it('auto-generates 20-character ids with POST /idx/_doc', async () => {
    const res = await call(engine, 'POST', '/docs/_doc', { a: 1 });
    expect(res.status).to.equal(201);
    expect((res.body as Body)['_id']).to.match(/^[A-Za-z0-9_-]{20}$/);
  });

  it('rejects a stale if_seq_no with the exact conflict reason', async () => {
    await call(engine, 'PUT', '/docs/_doc/1', { a: 1 });
    await call(engine, 'PUT', '/docs/_doc/1', { a: 2 });
    const res = await call(engine, 'PUT', '/docs/_doc/1', { a: 3 }, { if_seq_no: '0', if_primary_term: '1' });
    expect(res.status).to.equal(409);
    const err = errorOf(res);
    expect(err['type']).to.equal('version_conflict_engine_exception');
    expect(err['reason']).to.equal('[1]: version conflict, required seqNo [0], primary term [1]. current document has seqNo [1] and primary term [1]');
    expect(err['index']).to.equal('docs');
    expect(err['shard']).to.equal('0');
    expect((res.body as Body)['status']).to.equal(409);
    const ok = await call(engine, 'PUT', '/docs/_doc/1', { a: 3 }, { if_seq_no: '1', if_primary_term: '1' });
    expect(ok.status).to.equal(200);
  });

  it('op_type=create and _create conflict with "document already exists"', async () => {
    await call(engine, 'PUT', '/docs/_create/1', { a: 1 });
    const res = await call(engine, 'PUT', '/docs/_doc/1', { a: 1 }, { op_type: 'create' });
    expect(res.status).to.equal(409);
    expect(errorOf(res)['reason']).to.equal('[1]: version conflict, document already exists (current version [1])');
    const res2 = await call(engine, 'POST', '/docs/_create/1', { a: 1 });
    expect(res2.status).to.equal(409);
  });

  it('exactly one of many concurrent conditional updates wins per seq_no', async () => {
    await call(engine, 'PUT', '/docs/_doc/job', { owner: null }, { refresh: 'true' });
    for (let round = 0; round < 5; round++) {
      const cur = (await call(engine, 'GET', '/docs/_doc/job')).body as { _seq_no: number; _primary_term: number };
      const attempts = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          call(engine, 'POST', '/docs/_update/job', { doc: { owner: `r${round}-w${i}` } }, { if_seq_no: String(cur._seq_no), if_primary_term: String(cur._primary_term) }),
        ),
      );
      const winners = attempts.filter((r) => r.status === 200);
      const conflicts = attempts.filter((r) => r.status === 409);
      expect(winners).to.have.length(1);
      expect(conflicts).to.have.length(49);
      const after = (await call(engine, 'GET', '/docs/_doc/job')).body as { _seq_no: number; _source: { owner: string } };
      expect(after._seq_no).to.equal(cur._seq_no + 1);
      expect((winners[0]?.body as Body)['_seq_no']).to.equal(after._seq_no);
    }
  });

  it('external versions: higher wins, lower or equal conflicts', async () => {
    const a = await call(engine, 'PUT', '/docs/_doc/1', { a: 1 }, { version: '5', version_type: 'external' });
    expect(a.body).to.deep.include({ _version: 5 });
    const b = await call(engine, 'PUT', '/docs/_doc/1', { a: 2 }, { version: '5', version_type: 'external' });
    expect(b.status).to.equal(409);
    expect(errorOf(b)['reason']).to.equal('[1]: version conflict, current version [5] is higher or equal to the one provided [5]');
    const c = await call(engine, 'PUT', '/docs/_doc/1', { a: 2 }, { version: '5', version_type: 'external_gte' });
    expect(c.status).to.equal(200);
    const d = await call(engine, 'PUT', '/docs/_doc/1', { a: 2 }, { version: '3' });
    expect(d.status).to.equal(400);
    expect(errorOf(d)['type']).to.equal('action_request_validation_exception');
  });

  it('update: partial merge, noop detection, upsert, doc_as_upsert, _source in the response', async () => {
    await call(engine, 'PUT', '/docs/_doc/1', { a: { b: 1, c: 2 }, list: [1, 2] });
    const merged = await call(engine, 'POST', '/docs/_update/1', { doc: { a: { b: 5 }, list: [3] } }, { _source: 'true' });
    expect(merged.body).to.deep.include({ result: 'updated', _version: 2 });
    expect((merged.body as { get: Body }).get).to.deep.equal({ _seq_no: 1, _primary_term: 1, found: true, _source: { a: { b: 5, c: 2 }, list: [3] } });
    const noop = await call(engine, 'POST', '/docs/_update/1', { doc: { a: { b: 5 } } });
    expect(noop.body).to.deep.include({ result: 'noop', _version: 2, _seq_no: 1 });
    expect((noop.body as Body)['_shards']).to.deep.equal({ total: 0, successful: 0, failed: 0 });
    const forced = await call(engine, 'POST', '/docs/_update/1', { doc: { a: { b: 5 } }, detect_noop: false });
    expect(forced.body).to.deep.include({ result: 'updated', _version: 3 });
    const missing = await call(engine, 'POST', '/docs/_update/2', { doc: { x: 1 } });
    expect(missing.status).to.equal(404);
    expect(errorOf(missing)).to.deep.include({ type: 'document_missing_exception', reason: '[2]: document missing', index: 'docs' });
    const upsert = await call(engine, 'POST', '/docs/_update/2', { doc: { x: 1 }, upsert: { x: 0 } });
    expect(upsert.status).to.equal(201);
    expect(((await call(engine, 'GET', '/docs/_doc/2')).body as Body)['_source']).to.deep.equal({ x: 0 });
    const dau = await call(engine, 'POST', '/docs/_update/3', { doc: { y: 1 }, doc_as_upsert: true });
    expect(dau.body).to.deep.include({ result: 'created' });
  });

  it('update with a script gets a 400 naming the disabled scripts', async () => {
    await call(engine, 'PUT', '/docs/_doc/1', { n: 1 });
    const res = await call(engine, 'POST', '/docs/_update/1', { script: { source: 'ctx._source.n++' } });
    expect(res.status).to.equal(400);
    expect(errorOf(res)['type']).to.equal('illegal_argument_exception');
    expect(JSON.stringify(res.body)).to.contain('cannot execute [inline] scripts');
  });

  it('_source filtering on GET and the _source endpoint', async () => {
    await call(engine, 'PUT', '/docs/_doc/1', { a: { b: 1, c: 2 }, d: 3 });
    const inc = await call(engine, 'GET', '/docs/_doc/1', undefined, { _source_includes: 'a.b' });
    expect((inc.body as Body)['_source']).to.deep.equal({ a: { b: 1 } });
    const exc = await call(engine, 'GET', '/docs/_doc/1', undefined, { _source_excludes: 'a' });
    expect((exc.body as Body)['_source']).to.deep.equal({ d: 3 });
    const none = await call(engine, 'GET', '/docs/_doc/1', undefined, { _source: 'false' });
    expect(none.body).to.not.have.property('_source');
    const src = await call(engine, 'GET', '/docs/_source/1', undefined, { _source_includes: 'd' });
    expect(src.body).to.deep.equal({ d: 3 });
    const exists = await call(engine, 'HEAD', '/docs/_doc/2');
    expect(exists.status).to.equal(404);
  });

  it('errors: unknown index, unknown parameter, bad index name, malformed JSON, unknown route, wrong method', async () => {
    const nf = await call(engine, 'GET', '/nope/_doc/1');
    expect(nf.status).to.equal(404);
    expect(errorOf(nf)).to.deep.include({ type: 'index_not_found_exception', reason: 'no such index [nope]', 'resource.type': 'index_or_alias', 'resource.id': 'nope', index: 'nope' });
    await call(engine, 'PUT', '/docs');
    const param = await call(engine, 'GET', '/docs/_doc/1', undefined, { bogus: '1' });
    expect(param.status).to.equal(400);
    expect(errorOf(param)['reason']).to.equal('request [/docs/_doc/1] contains unrecognized parameter: [bogus]');
    const bad = await call(engine, 'PUT', '/Docs');
    expect(errorOf(bad)).to.deep.include({ type: 'invalid_index_name_exception', reason: 'Invalid index name [Docs], must be lowercase' });
    const exists = await call(engine, 'PUT', '/docs');
    expect(exists.status).to.equal(400);
    expect(errorOf(exists)['type']).to.equal('resource_already_exists_exception');
    const json = await call(engine, 'PUT', '/docs/_doc/1', '{"a": ');
    expect(json.status).to.equal(400);
    expect(errorOf(json)['type']).to.equal('document_parsing_exception');
    const route = await call(engine, 'GET', '/docs/_nothing/1');
    expect(route.status).to.equal(400);
    const method = await call(engine, 'GET', '/_bulk');
    expect(method.status).to.equal(405);
  });

  it('filter_path keeps only the requested response paths', async () => {
    await call(engine, 'PUT', '/docs/_doc/1', { a: 1 });
    const res = await call(engine, 'GET', '/docs/_doc/1', undefined, { filter_path: '_source.a,_version' });
    expect(res.body).to.deep.equal({ _version: 1, _source: { a: 1 } });
  });

  it('journals every mutation and replays to the same state', async () => {
    const records: unknown[] = [];
    const journaled = new Engine({ journal: { append: (r) => void records.push(r), commit: async () => undefined, close: async () => undefined } });
    await call(journaled, 'PUT', '/j', { mappings: { properties: { k: { type: 'keyword' } } } });
    await call(journaled, 'PUT', '/j/_doc/1', { k: 'a' });
    await call(journaled, 'PUT', '/j/_doc/2', { k: 'b' });
    await call(journaled, 'DELETE', '/j/_doc/1');
    await journaled.close();
    const replica = new Engine();
    for (const r of records) replica.applyJournalRecord(r as Parameters<Engine['applyJournalRecord']>[0]);
    const doc = (await call(replica, 'GET', '/j/_doc/2')).body as Body;
    expect(doc).to.deep.include({ _seq_no: 1, _version: 1, found: true });
    expect((await call(replica, 'GET', '/j/_doc/1')).status).to.equal(404);
    const next = await call(replica, 'PUT', '/j/_doc/3', { k: 'c' });
    expect((next.body as Body)['_seq_no']).to.equal(3);
    const snap = [...replica.snapshotRecords()];
    expect(snap.map((r) => r.op)).to.deep.equal(['create_index', 'put_doc', 'put_doc', 'delete_doc']);
    const compacted = new Engine();
    for (const r of snap) compacted.applyJournalRecord(r);
    const after = await call(compacted, 'PUT', '/j/_doc/1', { k: 'again' });
    expect(after.body).to.deep.include({ _seq_no: 4, _version: 3, result: 'created' });
    await compacted.close();
    await replica.close();
  });

  it('forgets deletes after 60 s (index.gc_deletes) at a refresh, oldest first, counting a repeated delete from its last time', async () => {
    let now = Date.UTC(2026, 0, 1);
    const clocked = new Engine({ clock: () => now });
    try {
      await call(clocked, 'PUT', '/tomb', { settings: { refresh_interval: '-1' } });
      const ndjson = (ids: readonly string[], action: (id: string) => string) => ids.map(action).join('\n') + '\n';
      const old = Array.from({ length: 1200 }, (_, i) => `o${i}`);
      const recent = Array.from({ length: 300 }, (_, i) => `r${i}`);
      await call(clocked, 'POST', '/_bulk', ndjson([...old, ...recent], (id) => `{"index":{"_index":"tomb","_id":"${id}"}}\n{"n":1}`));
      await call(clocked, 'POST', '/_bulk', ndjson(old, (id) => `{"delete":{"_index":"tomb","_id":"${id}"}}`));
      now += 30_000;
      await call(clocked, 'POST', '/_bulk', ndjson(recent, (id) => `{"delete":{"_index":"tomb","_id":"${id}"}}`));
      // deleted again (not found): remembered from now on, not from its first delete
      expect((await call(clocked, 'DELETE', '/tomb/_doc/o0')).status).to.equal(404);
      now += 31_000;
      await call(clocked, 'POST', '/tomb/_refresh');
      const [idx] = clocked.resolve('tomb');
      if (!(idx instanceof IndexState)) throw new Error('expected the engine index state');
      expect([...idx.deletes()].map(([id]) => id).sort()).to.deep.equal([...recent, 'o0'].sort());
      // a forgotten delete: the document starts again at version 1; a remembered one continues
      const put = async (id: string) => ((await call(clocked, 'PUT', `/tomb/_doc/${id}`, { n: 2 })).body as Body)._version;
      expect(await put('o1')).to.equal(1);
      expect(await put('o1199')).to.equal(1);
      expect(await put('r0')).to.equal(3);
      expect(await put('r299')).to.equal(3);
      expect(await put('o0')).to.equal(4);
    } finally {
      await clocked.close();
    }
  });
});
