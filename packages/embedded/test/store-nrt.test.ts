import { expect } from 'chai';
import { Engine } from '../src/engine.js';
import type { EngineRequest, EngineResponse } from '../src/contracts.js';

type Body = Record<string, unknown>;

function call(engine: Engine, method: EngineRequest['method'], path: string, body?: unknown, query: Record<string, string> = {}): Promise<EngineResponse> {
  const raw = body === undefined ? undefined : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
  return engine.handle({ method, path, query, headers: {}, body: raw });
}

async function count(engine: Engine, index: string): Promise<number> {
  const res = await call(engine, 'GET', `/${index}/_count`);
  return (res.body as { count: number }).count;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('store: near-real-time refresh', () => {
  let engine: Engine;
  beforeEach(() => {
    engine = new Engine({ defaultRefreshIntervalMs: 100 });
  });
  afterEach(async () => {
    await engine.close();
  });

  it('writes are invisible to search until a refresh, but GET is real-time', async () => {
    await call(engine, 'PUT', '/n', { settings: { refresh_interval: '-1' } });
    await call(engine, 'PUT', '/n/_doc/1', { a: 1 });
    expect(await count(engine, 'n')).to.equal(0);
    expect((await call(engine, 'GET', '/n/_doc/1')).status).to.equal(200);
    expect((await call(engine, 'GET', '/n/_doc/1', undefined, { realtime: 'false' })).status).to.equal(404);
    const r = await call(engine, 'POST', '/n/_refresh');
    expect(r.body).to.deep.equal({ _shards: { total: 2, successful: 1, failed: 0 } });
    expect(await count(engine, 'n')).to.equal(1);
    await call(engine, 'DELETE', '/n/_doc/1');
    expect(await count(engine, 'n')).to.equal(1);
    await call(engine, 'GET', '/_refresh');
    expect(await count(engine, 'n')).to.equal(0);
  });

  it('scheduled refresh honours refresh_interval and changes to it', async () => {
    await call(engine, 'PUT', '/s');
    await call(engine, 'PUT', '/s/_doc/1', { a: 1 });
    expect(await count(engine, 's')).to.equal(0);
    await sleep(250);
    expect(await count(engine, 's')).to.equal(1);
    await call(engine, 'PUT', '/s/_settings', { index: { refresh_interval: '-1' } });
    const settings = await call(engine, 'GET', '/s/_settings');
    expect(((settings.body as { s: { settings: { index: Body } } }).s.settings.index)['refresh_interval']).to.equal('-1');
    await call(engine, 'PUT', '/s/_doc/2', { a: 2 });
    await sleep(250);
    expect(await count(engine, 's')).to.equal(1);
    await call(engine, 'PUT', '/s/_settings', { index: { refresh_interval: '50ms' } });
    await sleep(200);
    expect(await count(engine, 's')).to.equal(2);
  });

  it('scheduled refreshes keep a fixed cadence: a write waits for the next tick, not a whole interval', async () => {
    await call(engine, 'PUT', '/c', { settings: { refresh_interval: '400ms' } });
    // Ticks at creation + 400, + 800, ...: a write at about +300 is searchable at the +400 tick.
    await sleep(300);
    const wrote = Date.now();
    await call(engine, 'PUT', '/c/_doc/1', { a: 1 });
    while ((await count(engine, 'c')) === 0 && Date.now() - wrote < 1_000) await sleep(5);
    const waitedMs = Date.now() - wrote;
    expect(await count(engine, 'c')).to.equal(1);
    // About 100 ms; a refresh timed from the write would take 400.
    expect(waitedMs).to.be.below(300);
  });

  it('refresh=true is visible at once and says forced_refresh', async () => {
    await call(engine, 'PUT', '/t', { settings: { refresh_interval: '-1' } });
    const res = await call(engine, 'PUT', '/t/_doc/1', { a: 1 }, { refresh: 'true' });
    expect((res.body as Body)['forced_refresh']).to.equal(true);
    expect(await count(engine, 't')).to.equal(1);
    await call(engine, 'PUT', '/t/_doc/2', { a: 1 }, { refresh: '' });
    expect(await count(engine, 't')).to.equal(2);
  });

  it('refresh=wait_for answers only once a refresh covers the write', async () => {
    await call(engine, 'PUT', '/w', { settings: { refresh_interval: '-1' } });
    let answered = false;
    const pending = call(engine, 'PUT', '/w/_doc/1', { a: 1 }, { refresh: 'wait_for' }).then((r) => {
      answered = true;
      return r;
    });
    await sleep(50);
    expect(answered).to.equal(false);
    await call(engine, 'POST', '/w/_refresh');
    const res = await pending;
    expect(res.status).to.equal(201);
    expect(res.body).to.not.have.property('forced_refresh');
    expect(await count(engine, 'w')).to.equal(1);
  });

  it('refresh=wait_for resolves on the scheduled refresh', async () => {
    await call(engine, 'PUT', '/w2', { settings: { refresh_interval: '30ms' } });
    const t0 = Date.now();
    const res = await call(engine, 'PUT', '/w2/_doc/1', { a: 1 }, { refresh: 'wait_for' });
    expect(res.status).to.equal(201);
    expect(Date.now() - t0).to.be.lessThan(2000);
    expect(await count(engine, 'w2')).to.equal(1);
  });

  it('setRefreshDelay slows scheduled refreshes (fault injection)', async () => {
    await call(engine, 'PUT', '/d', { settings: { refresh_interval: '20ms' } });
    engine.setRefreshDelay(300);
    await call(engine, 'PUT', '/d/_doc/1', { a: 1 });
    await sleep(150);
    expect(await count(engine, 'd')).to.equal(0);
    await sleep(300);
    expect(await count(engine, 'd')).to.equal(1);
    expect(() => engine.setRefreshDelay(-1)).to.throw(TypeError, /refreshDelayMs/);
  });

  it('close() releases wait_for writers and leaves no timers', async () => {
    await call(engine, 'PUT', '/c', { settings: { refresh_interval: '-1' } });
    const pending = call(engine, 'PUT', '/c/_doc/1', { a: 1 }, { refresh: 'wait_for' });
    await engine.close();
    expect((await pending).status).to.equal(201);
  });
});
