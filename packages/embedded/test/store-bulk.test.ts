import { expect } from 'chai';
import { Engine } from '../src/engine.js';
import type { EngineRequest, EngineResponse } from '../src/contracts.js';

type Body = Record<string, unknown>;
type Item = Record<string, Body>;

function call(engine: Engine, method: EngineRequest['method'], path: string, body?: unknown, query: Record<string, string> = {}): Promise<EngineResponse> {
  const raw = body === undefined ? undefined : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
  return engine.handle({ method, path, query, headers: {}, body: raw });
}

const ndjson = (...lines: unknown[]): string => lines.map((l) => JSON.stringify(l)).join('\n') + '\n';

describe('store: bulk and mget', () => {
  let engine: Engine;
  beforeEach(() => {
    engine = new Engine();
  });
  afterEach(async () => {
    await engine.close();
  });

  it('executes every action and reports per-item results, statuses and errors', async () => {
    await call(engine, 'PUT', '/b', { mappings: { dynamic: 'strict', properties: { n: { type: 'long' } } } });
    const res = await call(
      engine,
      'POST',
      '/_bulk',
      ndjson(
        { index: { _index: 'b', _id: '1' } }, { n: 1 },
        { create: { _index: 'b', _id: '1' } }, { n: 2 },
        { index: { _index: 'b', _id: '2' } }, { other: 1 },
        { update: { _index: 'b', _id: '1' } }, { doc: { n: 5 } },
        { update: { _index: 'b', _id: '9' } }, { doc: { n: 5 } },
        { delete: { _index: 'b', _id: '7' } },
        { index: { _index: 'b', _id: '3' } }, { n: 'x' },
        { index: { _index: 'b', _id: '4', if_seq_no: 0, if_primary_term: 1 } }, { n: 4 },
      ),
    );
    expect(res.status).to.equal(200);
    const body = res.body as { errors: boolean; took: number; items: Item[] };
    expect(body.errors).to.equal(true);
    expect(body.took).to.be.a('number');
    const statuses = body.items.map((it) => Object.values(it)[0]?.['status']);
    expect(statuses).to.deep.equal([201, 409, 400, 200, 404, 404, 400, 409]);
    expect(body.items[0]?.['index']).to.deep.include({ _index: 'b', _id: '1', _version: 1, result: 'created', _seq_no: 0, _primary_term: 1 });
    expect(body.items[1]?.['create']?.['error']).to.deep.include({ type: 'version_conflict_engine_exception', reason: '[1]: version conflict, document already exists (current version [1])' });
    expect((body.items[2]?.['index']?.['error'] as Body)['type']).to.equal('strict_dynamic_mapping_exception');
    expect(body.items[3]?.['update']).to.deep.include({ result: 'updated', _version: 2 });
    expect((body.items[4]?.['update']?.['error'] as Body)['type']).to.equal('document_missing_exception');
    expect(body.items[5]?.['delete']).to.deep.include({ result: 'not_found' });
    expect((body.items[6]?.['index']?.['error'] as Body)['type']).to.equal('document_parsing_exception');
    expect((body.items[7]?.['index']?.['error'] as Body)['reason']).to.equal('[4]: version conflict, required seqNo [0], primary term [1]. but no document was found');
    // item errors carry no root_cause, as in Elasticsearch
    expect(body.items[1]?.['create']?.['error']).to.not.have.property('root_cause');
    const doc = await call(engine, 'GET', '/b/_doc/1');
    expect((doc.body as Body)['_source']).to.deep.equal({ n: 5 });
  });

  it('uses the index from the path, auto-creates indices, and refresh=true makes items searchable', async () => {
    const res = await call(engine, 'POST', '/auto/_bulk', ndjson({ index: {} }, { a: 1 }, { index: { _id: 'x' } }, { a: 2 }), { refresh: 'true' });
    const body = res.body as { errors: boolean; items: Item[] };
    expect(body.errors).to.equal(false);
    expect(body.items[0]?.['index']?.['_id']).to.match(/^[A-Za-z0-9_-]{20}$/);
    expect(body.items[0]?.['index']?.['forced_refresh']).to.equal(true);
    const count = await call(engine, 'GET', '/auto/_count');
    expect((count.body as Body)['count']).to.equal(2);
  });

  it('rejects malformed NDJSON as a whole, like Elasticsearch', async () => {
    const noNewline = await call(engine, 'POST', '/_bulk', '{"index":{"_index":"x"}}\n{"a":1}');
    expect(noNewline.status).to.equal(400);
    expect((noNewline.body as { error: Body }).error['reason']).to.equal('The bulk request must be terminated by a newline [\\n]');
    const badAction = await call(engine, 'POST', '/_bulk', ndjson({ upsert: { _index: 'x' } }, { a: 1 }));
    expect(badAction.status).to.equal(400);
    expect((badAction.body as { error: Body }).error).to.deep.include({
      type: 'illegal_argument_exception',
      reason: 'Malformed action/metadata line [1], expected one of [create, delete, index, update] but found [upsert]',
    });
    const badJson = await call(engine, 'POST', '/_bulk', '{"index": {\n{}\n');
    expect(badJson.status).to.equal(400);
    expect((badJson.body as { error: Body }).error['type']).to.equal('x_content_parse_exception');
    const unknownMeta = await call(engine, 'POST', '/_bulk', ndjson({ index: { _index: 'x', bogus: 1 } }, {}));
    expect((unknownMeta.body as { error: Body }).error['reason']).to.equal('Action/metadata line [1] contains an unknown parameter [bogus]');
    const noIndex = await call(engine, 'POST', '/_bulk', ndjson({ index: {} }, {}));
    expect((noIndex.body as { error: Body }).error).to.deep.include({ type: 'action_request_validation_exception', reason: 'Validation Failed: 1: index is missing;' });
    // nothing was written by the rejected requests
    expect((await call(engine, 'HEAD', '/x')).status).to.equal(404);
  });

  it('action lines read the same whatever their spelling (key order, escapes, numbers, spaces, control characters)', async () => {
    const body = [
      '{"index":{"_id":"a","_index":"sp"}}', '{"n":1}',
      '{"index":{"_index":"sp","_id":"b\\u0041"}}', '{"n":2}',
      '{"index":{"_index":"sp","_id":7}}', '{"n":3}',
      '{ "index" : { "_index" : "sp", "_id" : "c" } }', '{"n":4}',
      '{"index":{}}', '{"n":5}',
      '{"create":{"_index":"sp","_id":"a"}}', '{"n":6}',
    ].join('\n') + '\n';
    const res = await call(engine, 'POST', '/sp/_bulk', body);
    const items = (res.body as { items: Item[] }).items;
    expect(items.map((it) => Object.keys(it)[0])).to.deep.equal(['index', 'index', 'index', 'index', 'index', 'create']);
    expect(items.slice(0, 4).map((it) => it['index']?.['_id'])).to.deep.equal(['a', 'bA', '7', 'c']);
    expect(items[4]?.['index']?.['_index']).to.equal('sp');
    expect(items[4]?.['index']?.['_id']).to.be.a('string').with.length(20);
    expect(items[5]?.['create']?.['status']).to.equal(409);
    // a raw tab inside a string is invalid JSON: the whole request is refused, as JSON.parse decides
    const bad = await call(engine, 'POST', '/_bulk', '{"index":{"_index":"sp","_id":"x\ty"}}\n{"n":1}\n');
    expect(bad.status).to.equal(400);
    expect((bad.body as { error: Body }).error['type']).to.equal('x_content_parse_exception');
  });

  it('conditional action lines read the same whatever their spelling (compact, spaced, reordered, leading zeros, fractions)', async () => {
    await call(engine, 'PUT', '/cs/_doc/a', { n: 0 });
    const seq = ((await call(engine, 'GET', '/cs/_doc/a')).body as Body)['_seq_no'] as number;
    let n = 0;
    const outcome = async (meta: string): Promise<unknown> => {
      // a new value each time: an unchanged document would be a noop
      const res = await call(engine, 'POST', '/_bulk', `${meta}\n{"doc":{"n":${++n}}}\n`);
      const b = res.body as { items?: Item[]; error?: Body };
      return b.error !== undefined ? `${res.status} ${String(b.error['type'])}` : b.items?.[0]?.['update']?.['status'];
    };
    // a stale seq_no loses, whatever the spelling
    expect(await outcome(`{"update":{"_index":"cs","_id":"a","if_seq_no":${seq + 5},"if_primary_term":1}}`)).to.equal(409);
    expect(await outcome(`{ "update" : { "_index" : "cs", "_id" : "a", "if_seq_no" : ${seq + 5}, "if_primary_term" : 1 } }`)).to.equal(409);
    // JSON.parse's verdicts: leading zeros and a repeated key's last value
    expect(await outcome(`{"update":{"_index":"cs","_id":"a","if_seq_no":0${seq},"if_primary_term":1}}`)).to.equal('400 x_content_parse_exception');
    expect(await outcome(`{"update":{"_index":"cs","_id":"a","if_seq_no":${seq + 5},"if_seq_no":${seq},"if_primary_term":1}}`)).to.equal(200);
    const now = ((await call(engine, 'GET', '/cs/_doc/a')).body as Body)['_seq_no'] as number;
    // a fraction, and the keys in another order, are still numbers to compare
    expect(await outcome(`{"update":{"if_primary_term":1,"if_seq_no":${now}.0,"_id":"a","_index":"cs"}}`)).to.equal(200);
    const last = (await call(engine, 'GET', '/cs/_doc/a')).body as Body;
    expect(last['_seq_no']).to.be.greaterThan(now);
    expect(last['_version']).to.equal(3);
  });

  it('mget in docs and ids forms, real-time, with per-document errors', async () => {
    await call(engine, 'PUT', '/m/_doc/1', { a: 1, b: 2 });
    await call(engine, 'PUT', '/m/_doc/2', { a: 3 });
    const docs = await call(engine, 'POST', '/_mget', { docs: [{ _index: 'm', _id: '1', _source: ['a'] }, { _index: 'm', _id: '3' }, { _index: 'none', _id: '1' }] });
    const list = (docs.body as { docs: Body[] }).docs;
    expect(list[0]).to.deep.equal({ _index: 'm', _id: '1', _version: 1, _seq_no: 0, _primary_term: 1, found: true, _source: { a: 1 } });
    expect(list[1]).to.deep.equal({ _index: 'm', _id: '3', found: false });
    expect((list[2]?.['error'] as Body)['type']).to.equal('index_not_found_exception');
    const ids = await call(engine, 'GET', '/m/_mget', { ids: ['2', '1'] });
    expect((ids.body as { docs: Body[] }).docs.map((d) => d['_id'])).to.deep.equal(['2', '1']);
    const empty = await call(engine, 'POST', '/_mget', { docs: [] });
    expect(empty.status).to.equal(400);
    expect((empty.body as { error: Body }).error['reason']).to.equal('Validation Failed: 1: no documents to get;');
  });

  it('a large bulk keeps sequence numbers dense and versions right', async () => {
    const lines: unknown[] = [];
    for (let i = 0; i < 2000; i++) lines.push({ index: { _index: 'big', _id: String(i % 1000) } }, { i });
    const res = await call(engine, 'POST', '/_bulk', ndjson(...lines));
    const items = (res.body as { items: Item[] }).items;
    expect(items.map((it) => it['index']?.['_seq_no'])).to.deep.equal(Array.from({ length: 2000 }, (_, i) => i));
    expect(items[1999]?.['index']).to.deep.include({ _version: 2, result: 'updated' });
  });
});
