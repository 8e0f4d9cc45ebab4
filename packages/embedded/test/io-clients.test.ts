import { expect } from 'chai';
import { gzipSync } from 'node:zlib';
import { Engine, startEngine } from '@esjobs/embedded';
import type { StartedEngine } from '@esjobs/embedded';
import { Client, Client8, embeddedClient, embeddedClient8, errors, errors8 } from '../../../test/support/clients.js';
import { uniquePrefix } from '../../../test/support/prefix.js';
import { raw } from '../../../test/support/http-raw.js';

/*
 * Both official clients (9.x and 8.x) against both transports (in-process connection and HTTP):
 * the client must behave exactly as against a real cluster.
 */

interface Transport {
  readonly name: string;
  setup(): Promise<{ c9: Client; c8: Client8; close(): Promise<void> }>;
}

const transports: Transport[] = [
  {
    name: 'in-process',
    async setup() {
      const engine = new Engine();
      const c9 = embeddedClient(engine);
      const c8 = embeddedClient8(engine);
      return {
        c9,
        c8,
        async close() {
          await c9.close();
          await c8.close();
          await engine.close();
        },
      };
    },
  },
  {
    name: 'http',
    async setup() {
      const started = await startEngine({ port: 0 });
      const c9 = new Client({ node: started.url });
      const c8 = new Client8({ node: started.url });
      return {
        c9,
        c8,
        async close() {
          await c9.close();
          await c8.close();
          await started.close();
        },
      };
    },
  },
];

for (const transport of transports) {
  describe(`io: official clients over ${transport.name}`, () => {
    let env: Awaited<ReturnType<Transport['setup']>>;
    before(async () => {
      env = await transport.setup();
    });
    after(async () => {
      await env.close();
    });

    for (const version of [9, 8] as const) {
      // The 8.x and 9.x APIs used here are the same; one static type keeps the calls callable.
      const client = (): Client => (version === 9 ? env.c9 : (env.c8 as unknown as Client));

      it(`${version}.x: info passes the product check`, async () => {
        const info = await client().info();
        expect(info.version.number).to.match(/^8\./);
        expect(await client().ping()).to.equal(true);
      });

      it(`${version}.x: index, get, search, bulk round trip`, async () => {
        const index = `${uniquePrefix(`c${version}`)}-docs`;
        const c = client();
        await c.indices.create({ index, mappings: { properties: { n: { type: 'long' }, tag: { type: 'keyword' } } } });
        const created = await c.index({ index, id: 'a', document: { n: 1, tag: 'x' } });
        expect(created.result).to.equal('created');
        expect(created._seq_no).to.equal(0);
        const got = await c.get<{ n: number }>({ index, id: 'a' });
        expect(got._source?.n).to.equal(1);
        expect(await c.exists({ index, id: 'a' })).to.equal(true);
        expect(await c.exists({ index, id: 'zz' })).to.equal(false);
        expect(await c.indices.exists({ index })).to.equal(true);
        const bulk = await c.bulk({
          refresh: true,
          operations: [{ index: { _index: index, _id: 'b' } }, { n: 2, tag: 'y' }, { create: { _index: index, _id: 'a' } }, { n: 9 }],
        });
        expect(bulk.errors).to.equal(true);
        expect(bulk.items[0]?.index?.status).to.equal(201);
        expect(bulk.items[1]?.create?.status).to.equal(409);
        expect(bulk.items[1]?.create?.error?.type).to.equal('version_conflict_engine_exception');
        const found = await c.search<{ n: number }>({ index, query: { term: { tag: 'y' } } });
        expect(found.hits.hits.map((h) => h._id)).to.deep.equal(['b']);
        await c.indices.delete({ index });
      });

      it(`${version}.x: errors become ResponseError with the Elasticsearch body`, async () => {
        const index = `${uniquePrefix(`e${version}`)}-missing`;
        const c = client();
        try {
          await c.get({ index, id: '1' });
          expect.fail('get on a missing index must throw');
        } catch (err) {
          const ResponseError = version === 9 ? errors.ResponseError : errors8.ResponseError;
          expect(err).to.be.instanceOf(ResponseError);
          const e = err as InstanceType<typeof errors.ResponseError>;
          expect(e.meta.statusCode).to.equal(404);
          const body = e.meta.body as { error: { type: string; root_cause: { type: string }[] }; status: number };
          expect(body.error.type).to.equal('index_not_found_exception');
          expect(body.error.root_cause[0]?.type).to.equal('index_not_found_exception');
          expect(body.status).to.equal(404);
        }
      });

      it(`${version}.x: conditional write conflict is a 409 ResponseError`, async () => {
        const index = `${uniquePrefix(`v${version}`)}-cond`;
        const c = client();
        const first = await c.index({ index, id: '1', document: { v: 1 } });
        await c.index({ index, id: '1', document: { v: 2 }, if_seq_no: first._seq_no, if_primary_term: first._primary_term });
        const err = await c.index({ index, id: '1', document: { v: 3 }, if_seq_no: first._seq_no, if_primary_term: first._primary_term }).then(
          () => undefined,
          (e: unknown) => e as InstanceType<typeof errors.ResponseError>,
        );
        expect(err?.meta.statusCode).to.equal(409);
        expect((err?.meta.body as { error: { type: string } }).error.type).to.equal('version_conflict_engine_exception');
        await c.indices.delete({ index });
      });
    }

    it('9.x: gzip-compressed requests are accepted', async () => {
      const index = `${uniquePrefix('gz')}-docs`;
      const c = transport.name === 'http' ? new Client({ node: env.c9.connectionPool.connections[0]?.url.href ?? '', compression: true }) : env.c9;
      try {
        await c.index({ index, id: '1', document: { big: 'x'.repeat(5000) }, refresh: true });
        const got = await c.get<{ big: string }>({ index, id: '1' });
        expect(got._source?.big.length).to.equal(5000);
      } finally {
        if (c !== env.c9) await c.close();
      }
    });
  });
}

describe('io: HTTP wire details', () => {
  let started: StartedEngine;
  before(async () => {
    started = await startEngine({ port: 0, maxBody: '1kb' });
  });
  after(async () => {
    await started.close();
  });

  it('binds 127.0.0.1 and reports the chosen port', () => {
    expect(started.host).to.equal('127.0.0.1');
    expect(started.port).to.be.greaterThan(0);
    expect(started.url).to.equal(`http://127.0.0.1:${started.port}`);
  });

  it('malformed JSON gets a 400 with an Elasticsearch error body', async () => {
    const index = `${uniquePrefix('mj')}-docs`;
    const res = await raw(started.port, 'PUT', `/${index}/_doc/1`, '{"a": ', { 'content-type': 'application/json' });
    expect(res.status).to.equal(400);
    const body = JSON.parse(res.body) as { error: { type: string }; status: number };
    expect(body.status).to.equal(400);
    expect(body.error.type).to.be.a('string').and.match(/pars/);
    expect(res.headers['x-elastic-product']).to.equal('Elasticsearch');
  });

  it('oversized bodies get a 413 naming the limit', async () => {
    const res = await raw(started.port, 'POST', '/_bulk', 'x'.repeat(4096), { 'content-type': 'application/x-ndjson' });
    expect(res.status).to.equal(413);
    const body = JSON.parse(res.body) as { error: { reason: string }; status: number };
    expect(body.status).to.equal(413);
    expect(body.error.reason).to.contain('http.max_content_length [1kb]');
  });

  it('oversized gzip bodies are measured after decompression', async () => {
    const res = await raw(started.port, 'POST', '/_bulk', gzipSync('x'.repeat(8192)), { 'content-type': 'application/x-ndjson', 'content-encoding': 'gzip' });
    expect(res.status).to.equal(413);
  });

  it('HEAD answers without a body; content type echoes compatible-with', async () => {
    const head = await raw(started.port, 'HEAD', '/', undefined, {});
    expect(head.status).to.equal(200);
    expect(head.body).to.equal('');
    const compat = await raw(started.port, 'GET', '/', undefined, { accept: 'application/vnd.elasticsearch+json; compatible-with=8' });
    expect(compat.headers['content-type']).to.equal('application/vnd.elasticsearch+json;compatible-with=8');
    const plain = await raw(started.port, 'GET', '/', undefined, {});
    expect(plain.headers['content-type']).to.equal('application/json');
  });

  it('NDJSON bulk over plain HTTP', async () => {
    const index = `${uniquePrefix('nd')}-docs`;
    const body = `${JSON.stringify({ index: { _index: index, _id: '1' } })}\n${JSON.stringify({ a: 1 })}\n`;
    const res = await raw(started.port, 'POST', '/_bulk?refresh=true', body, { 'content-type': 'application/x-ndjson' });
    expect(res.status).to.equal(200);
    const parsed = JSON.parse(res.body) as { errors: boolean; items: { index: { status: number } }[] };
    expect(parsed.errors).to.equal(false);
    expect(parsed.items[0]?.index.status).to.equal(201);
  });
});
