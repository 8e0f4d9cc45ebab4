/*
 * Engine I/O throughput through the official 9.x client, in-process and over HTTP:
 * single-document index/get/update ops/s and bulk docs/s.
 *   node --conditions=@esjobs/source --import tsx bench/engine-io.ts
 * Env: BENCH_MS (per case, default 2000), BENCH_CONCURRENCY (in-flight requests, default 16),
 * BENCH_BULK (docs per bulk, default 1000).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '@elastic/elasticsearch';
import { Engine, createEmbeddedClientConnection, startEngine } from '@esjobs/embedded';

const durationMs = Number(process.env.BENCH_MS ?? 2000);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 16);
const bulkSize = Number(process.env.BENCH_BULK ?? 1000);

type Op = (i: number) => Promise<unknown>;

// Each case first runs untimed for a while: the first case would otherwise pay for JIT warm-up
// (index ops/s read 3.7k over HTTP when run first, against 7.5k for update right after it).
const warmupMs = Math.min(500, durationMs / 4);

async function run(op: Op, perOp = 1): Promise<number> {
  const warm = performance.now() + warmupMs;
  let w = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < warm) await op(w++);
    }),
  );
  let n = 0;
  const end = performance.now() + durationMs;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) await op(n++);
    }),
  );
  return (n * perOp * 1000) / (performance.now() - start);
}

async function suite(name: string, client: Client): Promise<Record<string, number>> {
  const index = `bench-${name}`;
  await client.indices.create({ index, mappings: { properties: { n: { type: 'long' }, tag: { type: 'keyword' } } } });
  const ids = 10_000;
  const results: Record<string, number> = {};
  results['index ops/s'] = await run((i) => client.index({ index, id: String(i % ids), document: { n: i, tag: `t${i % 10}` } }));
  results['get ops/s'] = await run((i) => client.get({ index, id: String(i % ids) }, { ignore: [404] }));
  results['update ops/s'] = await run((i) => client.update({ index, id: String(i % 100), doc: { n: i }, doc_as_upsert: true }));
  let seq = 0;
  results['bulk docs/s'] = await run(async () => {
    const base = seq++ * bulkSize;
    const operations = [];
    for (let k = 0; k < bulkSize; k++) operations.push({ index: { _index: index, _id: `b${base + k}` } }, { n: k, tag: `t${k % 10}` });
    await client.bulk({ operations });
  }, bulkSize);
  await client.indices.delete({ index });
  return results;
}

function print(name: string, r: Record<string, number>): void {
  console.log(`${name}: ${Object.entries(r).map(([k, v]) => `${k} ${Math.round(v).toLocaleString('en-US')}`).join(', ')}`);
}

const engine = new Engine();
const Connection = createEmbeddedClientConnection(engine) as unknown as NonNullable<ConstructorParameters<typeof Client>[0]['Connection']>;
const inproc = new Client({ node: 'http://embedded.invalid', Connection });
print(`in-process (official client, ${concurrency} in flight)`, await suite('inproc', inproc));
await inproc.close();
await engine.close();

const started = await startEngine({ port: 0 });
const http = new Client({ node: started.url });
print(`HTTP (official client, one connection pool, ${concurrency} in flight)`, await suite('http', http));
await http.close();
await started.close();
// Baseline on the same machine at the same moment: a trivial node:http server that answers every
// request with a canned GET response, through the same client. The engine's HTTP path should be
// close to it; the gap is what the engine costs.
const canned = JSON.stringify({ _index: 'x', _id: '1', _version: 1, _seq_no: 0, _primary_term: 1, found: true, _source: { n: 1 } });
const trivial = createServer({ keepAlive: true }, (req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json', 'x-elastic-product': 'Elasticsearch', 'content-length': Buffer.byteLength(canned) });
    res.end(canned);
  });
});
await new Promise<void>((resolve) => trivial.listen(0, '127.0.0.1', resolve));
const baseline = new Client({ node: `http://127.0.0.1:${(trivial.address() as AddressInfo).port}` });
const engineHttp = await startEngine({ port: 0 });
const engineClient = new Client({ node: engineHttp.url });
await engineClient.index({ index: 'x', id: '1', document: { n: 1 } });
const trivialRate = await run(() => baseline.get({ index: 'x', id: '1' }));
const engineRate = await run(() => engineClient.get({ index: 'x', id: '1' }));
print('baseline GET (same client)', { 'trivial node:http server req/s': trivialRate, 'engine HTTP req/s': engineRate });
await baseline.close();
await engineClient.close();
await engineHttp.close();
await new Promise<void>((resolve) => trivial.close(() => resolve()));
console.log(`bulk size ${bulkSize}, ${durationMs} ms per case, node ${process.version}`);
