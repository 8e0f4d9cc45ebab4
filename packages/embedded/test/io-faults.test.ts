import { expect } from 'chai';
import { Engine, Faults, startEngine } from '@esjobs/embedded';
import type { StartedEngine } from '@esjobs/embedded';
import { Client, embeddedClient, errors } from '../../../test/support/clients.js';
import { uniquePrefix } from '../../../test/support/prefix.js';

type ResponseError = InstanceType<typeof errors.ResponseError>;

async function failure(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => undefined,
    (e: unknown) => e,
  );
}

for (const transport of ['in-process', 'http'] as const) {
  describe(`io: fault injection (${transport})`, () => {
    let engine: Engine;
    let started: StartedEngine | undefined;
    let faults: Faults;
    let client: Client;
    before(async () => {
      if (transport === 'http') {
        started = await startEngine({ port: 0 });
        engine = started.engine;
        faults = started.faults;
        client = new Client({ node: started.url, maxRetries: 0 });
      } else {
        engine = new Engine();
        faults = new Faults();
        client = embeddedClient(engine, { faults, client: { maxRetries: 0 } });
      }
    });
    afterEach(() => faults.clear());
    after(async () => {
      await client.close();
      if (started) await started.close();
      else await engine.close();
    });

    it('429 es_rejected_execution_exception on the configured kind only', async () => {
      const index = `${uniquePrefix('f429')}-x`;
      await client.index({ index, id: '1', document: { a: 1 }, refresh: true });
      faults.setRule('search', { rejectProbability: 1 });
      const err = (await failure(client.search({ index }))) as ResponseError;
      expect(err).to.be.instanceOf(errors.ResponseError);
      expect(err.meta.statusCode).to.equal(429);
      const body = err.meta.body as { error: { type: string; reason: string; root_cause: { type: string }[] }; status: number };
      expect(body.error.type).to.equal('es_rejected_execution_exception');
      expect(body.error.root_cause[0]?.type).to.equal('es_rejected_execution_exception');
      expect(body.error.reason).to.match(/^rejected execution of /);
      expect(body.status).to.equal(429);
      // other kinds unaffected
      expect((await client.get({ index, id: '1' })).found).to.equal(true);
      faults.clear();
      expect((await client.search({ index })).hits.hits).to.have.length(1);
      await client.indices.delete({ index });
    });

    it('a rejected write is not applied', async () => {
      const index = `${uniquePrefix('frw')}-x`;
      await client.indices.create({ index });
      faults.setRule('bulk', { rejectProbability: 1 });
      const err = (await failure(client.bulk({ operations: [{ index: { _index: index, _id: '1' } }, { a: 1 }] }))) as ResponseError;
      expect(err.meta.statusCode).to.equal(429);
      faults.clear();
      expect(await client.exists({ index, id: '1' })).to.equal(false);
      await client.indices.delete({ index });
    });

    it('5xx with the configured status', async () => {
      faults.set({ all: { errorProbability: 1, errorStatus: 500 } });
      const err = (await failure(client.info())) as ResponseError;
      expect(err.meta.statusCode).to.equal(500);
      faults.set({ all: { errorProbability: 1, errorStatus: 503 } });
      const err503 = (await failure(client.info())) as ResponseError;
      expect(err503.meta.statusCode).to.equal(503);
      expect(faults.counts.errored).to.be.greaterThanOrEqual(2);
    });

    it('dropped connections surface as ConnectionError', async () => {
      faults.set({ all: { dropProbability: 1 } });
      const err = await failure(client.info());
      expect(err).to.be.instanceOf(errors.ConnectionError);
    });

    it('drop after handling: the write happened though the client saw an error', async () => {
      const index = `${uniquePrefix('fda')}-x`;
      await client.indices.create({ index });
      faults.setRule('index', { dropAfterProbability: 1 });
      const err = await failure(client.index({ index, id: '1', document: { a: 1 } }));
      expect(err).to.be.instanceOf(errors.ConnectionError);
      faults.clear();
      expect(await client.exists({ index, id: '1' })).to.equal(true);
      await client.indices.delete({ index });
    });

    it('added latency (fixed and range)', async () => {
      faults.set({ all: { latencyMs: 40 } });
      let t = performance.now();
      await client.info();
      expect(performance.now() - t).to.be.greaterThanOrEqual(38);
      faults.set({ all: { latencyMs: [20, 30] } });
      t = performance.now();
      await client.info();
      expect(performance.now() - t).to.be.greaterThanOrEqual(18);
    });

    it('delayed refresh keeps new documents out of search longer', async () => {
      const index = `${uniquePrefix('frd')}-x`;
      await client.indices.create({ index, settings: { refresh_interval: '50ms' } });
      faults.setRefreshDelay(400);
      await client.index({ index, id: '1', document: { a: 1 } });
      await new Promise((r) => setTimeout(r, 200));
      expect((await client.search({ index })).hits.hits).to.have.length(0);
      faults.setRefreshDelay(0);
      await client.indices.refresh({ index });
      expect((await client.search({ index })).hits.hits).to.have.length(1);
      await client.indices.delete({ index });
    });
  });
}

describe('io: fault options', () => {
  it('validates probabilities and latency, naming the field and value', () => {
    expect(() => new Faults({ all: { rejectProbability: 2 } })).to.throw(RangeError, /faults\.all\.rejectProbability .* got 2/);
    expect(() => new Faults({ byKind: { bulk: { latencyMs: [5, 1] } } })).to.throw(RangeError, /bulk\.latencyMs/);
  });

  it('the realistic profile adds 1–3 ms and rejects about 1% of bulk and search', () => {
    let seed = 1;
    const rnd = (): number => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647;
    };
    const f = new Faults('realistic', rnd);
    let rejected = 0;
    let minDelay = Infinity;
    let maxDelay = 0;
    for (let i = 0; i < 10_000; i++) {
      const d = f.decide('search');
      minDelay = Math.min(minDelay, d.delayMs);
      maxDelay = Math.max(maxDelay, d.delayMs);
      if (d.action === 'respond') rejected++;
    }
    expect(minDelay).to.be.at.least(1);
    expect(maxDelay).to.be.at.most(3);
    expect(rejected).to.be.within(50, 200);
    const actions = new Set(Array.from({ length: 1000 }, () => f.decide('get').action));
    expect([...actions]).to.deep.equal(['pass']);
  });
});
