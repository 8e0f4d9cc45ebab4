/**
 * The runner itself, without the engine: parsing, matching, prerequisites, request building,
 * and a whole run against a tiny fake Elasticsearch over HTTP.
 */
import { expect } from 'chai';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildRequest, loadApiSpecs, RequestBuildError } from './api-specs.js';
import type { ApiSpecs } from './api-specs.js';
import { AssertionFailure, runAssertion } from './assertions.js';
import { compileCommentsRegex, deepDiff } from './compare.js';
import { evaluatePath, splitPath } from './object-path.js';
import { corpusDirDefault } from './options.js';
import { evaluatePrerequisite, versionInRanges } from './prerequisites.js';
import type { ClusterInfo } from './prerequisites.js';
import { javaToString } from './execute.js';
import { closingText, summarize } from './report.js';
import { scopeSkip } from './scope.js';
import { runSuites } from './run.js';
import { Stash } from './stash.js';
import { parseSuite } from './suite.js';
import { skipWithoutCorpus } from './corpus-guard.js';

const specsDir = join(corpusDirDefault, 'api');
const cluster: ClusterInfo = { version: [8, 17, 0], features: new Set(), hasCapabilities: async () => false };

describe('es-rest runner', () => {
  let specs: ApiSpecs;
  before(async function () {
    skipWithoutCorpus(this, 'es-rest runner');
    specs = await loadApiSpecs(specsDir);
  });

  describe('suite files', () => {
    it('reads setup, teardown and tests from a multi-document file', () => {
      const suite = parseSuite('setup:\n  - do: { ping: {} }\n---\n"t1":\n  - match: { a: 1 }\n---\nteardown: []\n', 'x/1.yml');
      expect(suite.setup.map((s) => s.kind)).to.deep.equal(['do']);
      expect(suite.tests.map((t) => t.name)).to.deep.equal(['t1']);
      expect(suite.teardown).to.deep.equal([]);
    });
  });

  describe('paths and stash', () => {
    it('splits on unescaped dots and indexes arrays', () => {
      expect(splitPath('a.b\\.c.0')).to.deep.equal(['a', 'b.c', '0']);
      const body = { a: { 'b.c': [{ x: 1 }] } };
      expect(evaluatePath(body, 'a.b\\.c.0.x')).to.equal(1);
      expect(evaluatePath(body, '$body')).to.equal(body);
      expect(evaluatePath(body, 'a.missing.x')).to.equal(undefined);
    });

    it('replaces $var, ${var} and keys, and fails on unknown names', () => {
      const stash = new Stash();
      stash.set('id', 7);
      stash.set('name', 'x');
      expect(stash.replace({ a: '$id', b: 'pre-${name}', $name: 1 })).to.deep.equal({ a: 7, b: 'pre-x', x: 1 });
      expect(() => stash.replace('$nope')).to.throw(/nope/);
    });
  });

  describe('matching', () => {
    it('compares numbers by value and objects exactly', () => {
      expect(deepDiff({ a: 1, b: [1.0] }, { a: 1.0, b: [1] })).to.equal(undefined);
      expect(deepDiff({ a: 1, extra: 2 }, { a: 1 })).to.match(/unexpected keys \[extra\]/);
      expect(deepDiff('1', 1)).to.match(/expected 1/);
    });

    it('reads /regex/ in COMMENTS mode with find semantics', () => {
      expect(compileCommentsRegex('/ ^ foo \\s bar  # comment\n $ /').test('foo bar')).to.equal(true);
      expect(compileCommentsRegex('/o\\ b/').test('foo bar')).to.equal(true);
    });

    it('evaluates every assertion kind and fails with the path in the message', () => {
      const stash = new Stash();
      const body = { hits: { total: 3, hits: [{ _id: '1', sort: [2.5] }] }, ok: true, zero: 0 };
      runAssertion('match', { 'hits.hits.0._id': '1' }, body, stash);
      runAssertion('match', { 'hits.hits.0._id': '/^\\d$/' }, body, stash);
      runAssertion('is_true', 'ok', body, stash);
      runAssertion('is_false', 'zero', body, stash);
      runAssertion('length', { 'hits.hits': 1 }, body, stash);
      runAssertion('gte', { 'hits.total': 3 }, body, stash);
      runAssertion('lt', { 'hits.total': 4 }, body, stash);
      runAssertion('contains', { 'hits.hits': { _id: '1' } }, body, stash);
      runAssertion('close_to', { 'hits.hits.0.sort.0': { value: 2.4, error: 0.2 } }, body, stash);
      runAssertion('set', { 'hits.total': 'total' }, body, stash);
      runAssertion('match', { 'hits.total': '$total' }, body, stash);
      runAssertion('exists', 'hits.total', body, stash);
      runAssertion('not_exists', 'hits.nope', body, stash);
      expect(() => runAssertion('match', { 'hits.total': 4 }, body, stash)).to.throw(AssertionFailure, /hits\.total/);
      expect(() => runAssertion('is_true', 'zero', body, stash)).to.throw(AssertionFailure, /zero/);
      expect(() => runAssertion('gt', { 'hits.total': 3 }, body, stash)).to.throw(AssertionFailure);
    });
  });

  describe('prerequisites', () => {
    it('reads version ranges like the Elasticsearch runner', () => {
      expect(versionInRanges(' - 7.99.99', [8, 17, 0])).to.equal(false);
      expect(versionInRanges('8.0.0 - ', [8, 17, 0])).to.equal(true);
      expect(versionInRanges('all', [8, 17, 0])).to.equal(true);
      expect(versionInRanges(' - 6.99.99, 8.10.0 - 8.20.0', [8, 17, 0])).to.equal(true);
    });

    it('skips on versions, features and cluster features', async () => {
      expect(await evaluatePrerequisite('skip', { version: ' - 6.99.99', reason: 'r' }, cluster)).to.equal(undefined);
      expect(await evaluatePrerequisite('skip', { version: '8.0.0 - ', reason: 'r' }, cluster)).to.not.equal(undefined);
      expect(await evaluatePrerequisite('skip', { features: ['headers'] }, cluster)).to.equal(undefined);
      expect((await evaluatePrerequisite('skip', { features: 'yaml' }, cluster))?.category).to.match(/runner feature/);
      expect(await evaluatePrerequisite('requires', { cluster_features: ['gte_v8.0.0'] }, cluster)).to.equal(undefined);
      expect(await evaluatePrerequisite('requires', { cluster_features: ['gte_v9.0.0'] }, cluster)).to.not.equal(undefined);
      expect(await evaluatePrerequisite('requires', { cluster_features: 'x.y' }, cluster)).to.not.equal(undefined);
    });
  });

  describe('requests from the API specs', () => {
    it('picks the most specific path, query params and NDJSON bodies', () => {
      const spec = (name: string) => {
        const s = specs.get(name);
        if (s === undefined) throw new Error(`no spec ${name}`);
        return s;
      };
      const put = buildRequest(spec('index'), { index: 'i', id: '1', refresh: true, body: { a: 1 } });
      expect(put).to.include({ path: '/i/_doc/1?refresh=true', body: '{"a":1}' });
      expect(['PUT', 'POST']).to.include(put.method);
      const post = buildRequest(spec('index'), { index: 'i', body: {} });
      expect(post).to.include({ method: 'POST', path: '/i/_doc' });
      const bulk = buildRequest(spec('bulk'), { body: [{ index: { _index: 'i' } }, { a: 1 }] });
      expect(bulk.body).to.equal('{"index":{"_index":"i"}}\n{"a":1}\n');
      expect(bulk.headers['content-type']).to.equal('application/x-ndjson');
      expect(buildRequest(spec('exists'), { index: 'i', id: 'x y' })).to.include({ method: 'HEAD', path: '/i/_doc/x%20y' });
      expect(buildRequest(spec('search'), { index: ['a', 'b'] })).to.include({ path: '/a,b/_search' });
      expect(buildRequest(spec('get'), { index: 'i', id: '1', bogus: 1 })).to.include({ path: '/i/_doc/1?bogus=1' });
      expect(buildRequest(spec('indices.refresh'), { index: [] })).to.include({ path: '/_refresh' });
      expect(() => buildRequest(spec('create'), { index: 'i', body: {} })).to.throw(RequestBuildError);
    });
  });

  describe('scope skips', () => {
    const steps = (yaml: string) => parseSuite(`"t":\n${yaml}`, 'x.yml').tests[0]?.steps ?? [];

    it('skips pre-8.0 types, out-of-scope APIs, features and runner features', () => {
      const typed = steps('  - do: { index: { index: i, type: t, id: "1", body: {} } }\n');
      expect(scopeSkip(typed, specs)?.category).to.match(/types API/);
      const typeAssert = steps('  - do: { get: { index: i, id: "1" } }\n  - match: { _type: _doc }\n');
      expect(scopeSkip(typeAssert, specs)?.category).to.match(/types API/);
      const alias = steps('  - do: { indices.put_alias: { index: i, name: a } }\n');
      expect(scopeSkip(alias, specs)?.category).to.match(/API not in issue 2/);
      const nested = steps('  - do: { indices.create: { index: i, body: { mappings: { properties: { n: { type: nested } } } } } }\n');
      expect(scopeSkip(nested, specs)?.category).to.match(/nested/);
      const script = steps('  - do: { update: { index: i, id: "1", body: { script: "ctx" } } }\n');
      expect(scopeSkip(script, specs)?.category).to.match(/scripts/);
      const selector = steps('  - do: { node_selector: { version: current }, info: {} }\n');
      expect(scopeSkip(selector, specs)?.category).to.match(/node_selector/);
    });

    it('runs in-scope tests, typed mappings sent to be rejected, and shard settings without shard assertions', () => {
      const plain = steps('  - do: { search: { index: i, body: { query: { bool: { filter: [ { term: { a: 1 } } ] } }, sort: [ { a: desc } ] } } }\n');
      expect(scopeSkip(plain, specs)).to.equal(undefined);
      const rejected = steps('  - do: { catch: bad_request, indices.put_mapping: { index: i, body: { _doc: { properties: {} } } } }\n');
      expect(scopeSkip(rejected, specs)).to.equal(undefined);
      const shards = 'indices.create: { index: i, body: { settings: { number_of_shards: 3 } } }';
      expect(scopeSkip(steps(`  - do: { ${shards} }\n  - match: { acknowledged: true }\n`), specs)).to.equal(undefined);
      expect(scopeSkip(steps(`  - do: { ${shards} }\n  - match: { _shards.total: 3 }\n`), specs)?.category).to.match(/shards/);
    });

    it('renders errors like Java for catch regexes', () => {
      expect(javaToString({ type: 'x', caused_by: [{ reason: 'r' }] })).to.equal('{type=x, caused_by=[{reason=r}]}');
    });
  });

  describe('a whole run against a fake Elasticsearch', () => {
    let server: Server;
    let url: string;
    let dir: string;
    const indices = new Map<string, Map<string, unknown>>();

    before(async () => {
      server = createServer((req, res) => void fake(req, res, indices));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      dir = await mkdtemp(join(tmpdir(), 'es-rest-'));
      await mkdir(join(dir, 'docs'));
      await writeFile(join(dir, 'docs', '10_basic.yml'), suiteText);
    });

    after(async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    });

    it('passes, fails and skips the right tests and wipes between them', async () => {
      const run = await runSuites({ dirs: [dir], url, specsDir });
      const byName = new Map(run.results.map((r) => [r.name, r]));
      if (process.env['ES_REST_DEBUG'] === '1') console.log(run.results);
      expect(byName.get('index then get')?.status).to.equal('passed');
      expect(byName.get('wiped before this test')?.status).to.equal('passed');
      expect(byName.get('missing with catch and ignore')?.status).to.equal('passed');
      expect(byName.get('wrong expectation')).to.include({ status: 'failed' });
      expect(byName.get('wrong expectation')?.reason).to.match(/_version/);
      expect(byName.get('old versions only')).to.include({ status: 'skipped', category: 'Elasticsearch skip: version range' });
      expect(byName.get('typed')?.category).to.match(/types API/);
      const summary = summarize(run.results);
      expect(summary).to.include({ passed: 3, failed: 1, skipped: 2 });
      expect(closingText(run).trim().split('\n').at(-1)).to.equal('3 passed, 1 failed, 2 skipped');
      expect(indices.size).to.equal(0);
    });
  });
});

const suiteText = `
setup:
  - do:
      indices.create:
        index: test
---
"index then get":
  - do:
      index: { index: test, id: "1", body: { foo: bar } }
  - match: { _version: 1 }
  - set: { _id: saved }
  - do:
      get: { index: test, id: $saved }
  - match: { _source: { foo: bar } }
  - do:
      exists: { index: test, id: "1" }
  - is_true: ''
---
"wiped before this test":
  - do:
      exists: { index: test, id: "1" }
  - is_false: ''
---
"missing with catch and ignore":
  - do:
      catch: missing
      get: { index: test, id: "nope" }
  - match: { found: false }
  - do:
      get: { index: test, id: "nope", ignore: 404 }
---
"wrong expectation":
  - do:
      index: { index: test, id: "1", body: { foo: bar } }
  - match: { _version: 2 }
---
"old versions only":
  - skip:
      version: "8.0.0 - "
      reason: not on 8.x
  - do:
      get: { index: test, id: "1" }
---
"typed":
  - do:
      index: { index: test, type: doc, id: "1", body: {} }
`;

/** Just enough of Elasticsearch for the runner: info, mappings, index create/delete, docs. */
async function fake(req: IncomingMessage, res: ServerResponse, indices: Map<string, Map<string, unknown>>): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  const u = new URL(req.url ?? '/', 'http://x');
  const parts = u.pathname.split('/').filter((p) => p !== '').map(decodeURIComponent);
  const send = (status: number, body?: unknown): void => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(body === undefined || req.method === 'HEAD' ? undefined : JSON.stringify(body));
  };
  const [a, b, c] = parts;
  if (a === undefined) return send(200, { version: { number: '8.17.0' } });
  if (a === '_mapping') return send(200, Object.fromEntries([...indices.keys()].map((n) => [n, { mappings: {} }])));
  if (a.startsWith('_')) return send(404, { error: { type: 'not_found' } });
  if (b === undefined) {
    if (req.method === 'PUT') {
      indices.set(a, new Map());
      return send(200, { acknowledged: true });
    }
    if (req.method === 'DELETE') {
      for (const n of a.split(',')) indices.delete(n);
      return send(200, { acknowledged: true });
    }
  }
  const docs = indices.get(a);
  if (b === '_doc' && c !== undefined && docs !== undefined) {
    if (req.method === 'PUT' || req.method === 'POST') {
      docs.set(c, JSON.parse(text));
      return send(201, { _index: a, _id: c, _version: 1, result: 'created' });
    }
    const source = docs.get(c);
    if (source === undefined) return send(404, { _index: a, _id: c, found: false });
    return send(200, { _index: a, _id: c, _version: 1, found: true, _source: source });
  }
  return send(400, { error: { type: 'illegal_argument_exception', reason: `${req.method ?? ''} ${u.pathname}` } });
}
