import { expect } from 'chai';
import { Engine } from '../src/engine.js';
import type { EngineRequest, EngineResponse } from '../src/contracts.js';

type Body = Record<string, unknown>;

function call(engine: Engine, method: EngineRequest['method'], path: string, body?: unknown, query: Record<string, string> = {}): Promise<EngineResponse> {
  const raw = body === undefined ? undefined : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
  return engine.handle({ method, path, query, headers: {}, body: raw });
}

function errorOf(res: EngineResponse): Body {
  return (res.body as { error: Body }).error;
}

async function mappingOf(engine: Engine, index: string): Promise<Body> {
  const res = await call(engine, 'GET', `/${index}/_mapping`);
  return ((res.body as Record<string, { mappings: Body }>)[index] ?? { mappings: {} }).mappings;
}

describe('store: mappings, settings and templates', () => {
  let engine: Engine;
  beforeEach(() => {
    engine = new Engine();
  });
  afterEach(async () => {
    await engine.close();
  });

  it('maps new fields dynamically like Elasticsearch', async () => {
    await call(engine, 'PUT', '/dyn/_doc/1', { s: 'hello', n: 5, f: 1.5, b: true, d: '2024-05-01T10:00:00Z', o: { inner: 'x' }, nil: null, 'dotted.key': 1 });
    expect(await mappingOf(engine, 'dyn')).to.deep.equal({
      properties: {
        b: { type: 'boolean' },
        d: { type: 'date' },
        dotted: { properties: { key: { type: 'long' } } },
        f: { type: 'float' },
        n: { type: 'long' },
        o: { properties: { inner: { type: 'text', fields: { keyword: { type: 'keyword', ignore_above: 256 } } } } },
        s: { type: 'text', fields: { keyword: { type: 'keyword', ignore_above: 256 } } },
      },
    });
  });

  it('computes indexed values per field at write time (text analyzed, keyword multi-field, dates in ms, numbers coerced)', async () => {
    await call(engine, 'PUT', '/v', {
      mappings: {
        properties: {
          title: { type: 'text', fields: { raw: { type: 'keyword' } } },
          when: { type: 'date' },
          n: { type: 'integer' },
          short: { type: 'keyword', ignore_above: 3 },
          flag: { type: 'boolean' },
          missing: { type: 'keyword', null_value: 'NONE' },
          blob: { type: 'object', enabled: false },
        },
      },
    });
    await call(engine, 'PUT', '/v/_doc/1', { title: 'Hello World', when: '2024-01-01T00:00:00Z', n: '42', short: 'toolong', flag: 'true', missing: null, blob: { any: [1, 'x'] } });
    const [handle] = engine.resolve('v');
    const doc = handle?.getLive('1');
    expect(doc?.fields.get('title')).to.deep.equal(['hello', 'world']);
    expect(doc?.fields.get('title.raw')).to.deep.equal(['Hello World']);
    expect(doc?.fields.get('when')).to.deep.equal([Date.UTC(2024, 0, 1)]);
    expect(doc?.fields.get('n')).to.deep.equal([42]);
    expect(doc?.fields.has('short')).to.equal(false);
    expect(doc?.fields.get('flag')).to.deep.equal([true]);
    expect(doc?.fields.get('missing')).to.deep.equal(['NONE']);
    expect([...(doc?.fields.keys() ?? [])].some((k) => k.startsWith('blob'))).to.equal(false);
    expect(handle?.mapping.field('title.raw')).to.deep.include({ type: 'keyword', docValues: true, searchable: true });
    expect(handle?.mapping.field('title')).to.deep.include({ type: 'text', docValues: false });
  });

  it('strict mappings reject unknown fields, also inside objects, and change nothing', async () => {
    await call(engine, 'PUT', '/st', { mappings: { dynamic: 'strict', properties: { a: { type: 'keyword' }, o: { properties: { x: { type: 'long' } } } } } });
    const top = await call(engine, 'PUT', '/st/_doc/1', { a: 'x', b: 1 });
    expect(top.status).to.equal(400);
    expect(errorOf(top)).to.deep.include({ type: 'strict_dynamic_mapping_exception', reason: 'mapping set to strict, dynamic introduction of [b] within [_doc] is not allowed' });
    const inner = await call(engine, 'PUT', '/st/_doc/1', { o: { y: 1 } });
    expect(errorOf(inner)['reason']).to.equal('mapping set to strict, dynamic introduction of [y] within [o] is not allowed');
    expect((await call(engine, 'GET', '/st/_doc/1')).status).to.equal(404);
    expect(await mappingOf(engine, 'st')).to.deep.equal({ dynamic: 'strict', properties: { a: { type: 'keyword' }, o: { properties: { x: { type: 'long' } } } } });
  });

  it('dynamic: false keeps unknown fields in _source without mapping them', async () => {
    await call(engine, 'PUT', '/nf', { mappings: { dynamic: false, properties: { a: { type: 'keyword' } } } });
    await call(engine, 'PUT', '/nf/_doc/1', { a: 'x', extra: { deep: 1 } });
    expect(((await call(engine, 'GET', '/nf/_doc/1')).body as Body)['_source']).to.deep.equal({ a: 'x', extra: { deep: 1 } });
    expect(await mappingOf(engine, 'nf')).to.deep.equal({ dynamic: 'false', properties: { a: { type: 'keyword' } } });
  });

  it('bad values give document_parsing_exception naming the field, type and id', async () => {
    await call(engine, 'PUT', '/bad', { mappings: { properties: { n: { type: 'long' }, d: { type: 'date' }, b: { type: 'boolean' } } } });
    const n = await call(engine, 'PUT', '/bad/_doc/7', { n: 'abc' });
    expect(errorOf(n)).to.deep.include({ type: 'document_parsing_exception', reason: "failed to parse field [n] of type [long] in document with id '7'. Preview of field's value: 'abc'" });
    expect((errorOf(n)['caused_by'] as Body)['type']).to.equal('number_format_exception');
    const d = await call(engine, 'PUT', '/bad/_doc/7', { d: 'yesterday' });
    expect(errorOf(d)['reason']).to.contain('failed to parse field [d] of type [date]');
    const b = await call(engine, 'PUT', '/bad/_doc/7', { b: 'yes' });
    expect((errorOf(b)['caused_by'] as Body)['reason']).to.equal('Failed to parse value [yes] as only [true] or [false] are allowed.');
  });

  it('invalid mapping definitions are mapper_parsing_exception', async () => {
    const type = await call(engine, 'PUT', '/m1', { mappings: { properties: { f: { type: 'nope' } } } });
    expect(type.status).to.equal(400);
    expect(errorOf(type)['reason']).to.equal(
      'Failed to parse mapping: The mapper type [nope] declared on field [f] does not exist. It might have been created within a future version or requires a plugin to be installed. Check the documentation.',
    );
    const param = await call(engine, 'PUT', '/m1', { mappings: { properties: { f: { type: 'keyword', bogus: true } } } });
    expect(errorOf(param)).to.deep.include({ type: 'mapper_parsing_exception', reason: 'Failed to parse mapping: unknown parameter [bogus] on mapper [f] of type [keyword]' });
    expect((await call(engine, 'HEAD', '/m1')).status).to.equal(404);
  });

  it('put mapping adds fields, rejects type changes with Elasticsearch\'s message', async () => {
    await call(engine, 'PUT', '/pm', { mappings: { properties: { user: { properties: { id: { type: 'long' } } } } } });
    const add = await call(engine, 'PUT', '/pm/_mapping', { properties: { name: { type: 'keyword' } } });
    expect(add.body).to.deep.equal({ acknowledged: true });
    const change = await call(engine, 'PUT', '/pm/_mapping', { properties: { user: { properties: { id: { type: 'keyword' } } }, other: { type: 'long' } } });
    expect(change.status).to.equal(400);
    expect(errorOf(change)).to.deep.include({ type: 'illegal_argument_exception', reason: 'mapper [user.id] cannot be changed from type [long] to [keyword]' });
    const m = await mappingOf(engine, 'pm');
    expect(m).to.deep.equal({ properties: { name: { type: 'keyword' }, user: { properties: { id: { type: 'long' } } } } });
  });

  it('index templates apply by pattern and priority at creation, explicit mappings merged on top', async () => {
    await call(engine, 'PUT', '/_index_template/low', { index_patterns: ['logs-*'], priority: 1, template: { mappings: { properties: { a: { type: 'keyword' } } } } });
    await call(engine, 'PUT', '/_index_template/high', {
      index_patterns: ['logs-app*'],
      priority: 10,
      template: { settings: { index: { refresh_interval: '5s' } }, mappings: { dynamic: 'strict', properties: { b: { type: 'long' } } } },
    });
    await call(engine, 'PUT', '/logs-app1', { mappings: { properties: { c: { type: 'keyword' } } } });
    expect(await mappingOf(engine, 'logs-app1')).to.deep.equal({ dynamic: 'strict', properties: { b: { type: 'long' }, c: { type: 'keyword' } } });
    const s = await call(engine, 'GET', '/logs-app1/_settings', undefined, { flat_settings: 'true' });
    expect(((s.body as Record<string, { settings: Body }>)['logs-app1']?.settings ?? {})['index.refresh_interval']).to.equal('5s');
    // auto-created indices get templates too
    await call(engine, 'PUT', '/logs-other/_doc/1', { a: 'x' });
    expect(await mappingOf(engine, 'logs-other')).to.deep.equal({ properties: { a: { type: 'keyword' } } });
    const got = await call(engine, 'GET', '/_index_template/high');
    expect((got.body as { index_templates: Body[] }).index_templates[0]?.['name']).to.equal('high');
    expect((await call(engine, 'DELETE', '/_index_template/high')).status).to.equal(200);
    expect((await call(engine, 'GET', '/_index_template/high')).status).to.equal(404);
  });

  it('settings are echoed as strings; index delete takes names only (destructive_requires_name)', async () => {
    await call(engine, 'PUT', '/a1', { settings: { number_of_shards: 1, number_of_replicas: 0 } });
    await call(engine, 'PUT', '/a2');
    await call(engine, 'PUT', '/b1');
    const s = await call(engine, 'GET', '/a1/_settings');
    const index = ((s.body as Record<string, { settings: { index: Body } }>)['a1']?.settings.index ?? {});
    expect(index['number_of_shards']).to.equal('1');
    expect(index['number_of_replicas']).to.equal('0');
    expect(index['provided_name']).to.equal('a1');
    for (const expr of ['_all', '*', 'a*', 'a*,b1', 'b1,a*', 'b1,_all']) {
      const res = await call(engine, 'DELETE', `/${expr}`, undefined, { ignore_unavailable: 'true', allow_no_indices: 'true', expand_wildcards: 'all' });
      expect(res.status, expr).to.equal(400);
      expect(errorOf(res), expr).to.include({ type: 'illegal_argument_exception', reason: 'Wildcard expressions or all indices are not allowed' });
    }
    expect(Object.keys((await call(engine, 'GET', '/_mapping')).body as Body)).to.have.members(['a1', 'a2', 'b1']);
    expect((await call(engine, 'DELETE', '/*,-*')).body).to.deep.equal({ acknowledged: true });
    expect((await call(engine, 'DELETE', '/a1,a2,b1')).body).to.deep.equal({ acknowledged: true });
    expect((await call(engine, 'GET', '/_mapping')).body).to.deep.equal({});
    const gone = await call(engine, 'DELETE', '/a1');
    expect(gone.status).to.equal(404);
  });

  it('aliases are rejected clearly', async () => {
    const res = await call(engine, 'PUT', '/al', { aliases: { x: {} } });
    expect(res.status).to.equal(400);
    expect(errorOf(res)['reason']).to.contain('aliases');
  });
});

describe('store: disabled objects', () => {
  it('accept any JSON value, unparsed, as Elasticsearch does', async () => {
    const engine = new Engine();
    await call(engine, 'PUT', '/dis', { mappings: { dynamic: 'strict', properties: { payload: { type: 'object', enabled: false } } } });
    const values: unknown[] = [{ deep: { x: [1, { y: 'z' }] } }, [1, 'two'], 'text', 42, true, null];
    for (const [i, payload] of values.entries()) {
      const res = await call(engine, 'PUT', `/dis/_doc/${i}`, { payload });
      expect(res.status, JSON.stringify(res.body)).to.equal(201);
      expect(((await call(engine, 'GET', `/dis/_doc/${i}`)).body as Body)['_source']).to.deep.equal({ payload });
    }
    await engine.close();
  });
});
