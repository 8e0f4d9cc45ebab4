/**
 * Engine-level store throughput: single-document index / get / update and bulk, calling
 * `engine.handle` directly (no transport). Request bodies are built before each timed phase, so
 * the figures are the engine's cost, not the benchmark's.
 *
 * The real figures come from compiled JavaScript (tsx's on-the-fly transform distorts profiles):
 *   pnpm exec tsc -b packages/embedded
 *   pnpm exec tsc --target ES2022 --module NodeNext --moduleResolution NodeNext --types node \
 *     --skipLibCheck --outDir /tmp/esjb bench/engine-store.ts
 *   ln -sfn "$PWD/bench/node_modules" /tmp/esjb/node_modules && echo '{"type":"module"}' > /tmp/esjb/package.json
 *   node /tmp/esjb/engine-store.js            (imports packages/embedded/dist)
 * From source: node --conditions=@esjobs/source --import tsx bench/engine-store.ts
 * Env: N (single-document ops, default 50000), BULK_DOCS (default 200000), REFRESH (index
 * refresh_interval, default 1s; -1 leaves search-side indexing to the final refresh).
 */
import { loadavg } from 'node:os';
import { Engine } from '@esjobs/embedded';
import type { EngineRequest } from '@esjobs/embedded';

const n = Number(process.env['N'] ?? 50_000);
const bulkDocs = Number(process.env['BULK_DOCS'] ?? 200_000);
const batch = 1000;

function req(method: EngineRequest['method'], path: string, body?: unknown, query: Record<string, string> = {}): EngineRequest {
  return { method, path, query, headers: {}, body: body === undefined ? undefined : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)) };
}

/** Wall-clock rate, and the rate per CPU-second of this process (meaningful on a shared, loaded machine). */
function report(label: string, count: number, ms: number, c0: NodeJS.CpuUsage): void {
  const cpu = process.cpuUsage(c0);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  const fmt = (x: number) => Math.round(x).toLocaleString('en-US').padStart(10);
  console.log(`${label.padEnd(28)} ${fmt((count / ms) * 1000)} /s wall  ${fmt((count / cpuMs) * 1000)} /s cpu  (${count} in ${ms.toFixed(0)} ms wall, ${cpuMs.toFixed(0)} ms cpu)`);
}

async function timed(label: string, count: number, fn: (i: number) => Promise<void>): Promise<void> {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  for (let i = 0; i < count; i++) await fn(i);
  report(label, count, performance.now() - t0, c0);
}

/** Requests built ahead of a timed phase (a transport hands the engine ready Buffers too). */
function prebuilt(count: number, make: (i: number) => EngineRequest): EngineRequest[] {
  return Array.from({ length: count }, (_, i) => make(i));
}

console.log(`node ${process.version}, load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
const engine = new Engine();
const mappings = {
  dynamic: 'strict',
  properties: {
    queue: { type: 'keyword' },
    state: { type: 'keyword' },
    priority: { type: 'integer' },
    runAt: { type: 'date' },
    jobId: { type: 'keyword' },
    payload: { type: 'object', enabled: false },
  },
};
await engine.handle(req('PUT', '/bench', { mappings, settings: { refresh_interval: process.env['REFRESH'] ?? '1s' } }));
const doc = (i: number) => ({ queue: `q${i % 8}`, state: 'queued', priority: i % 5, runAt: new Date(1_700_000_000_000 + i).toISOString(), jobId: `job-${i}`, payload: { i } });

// calibration: the same machine's cost of just parsing one document body, for comparing runs on loaded machines
{
  const text = JSON.stringify(doc(1));
  await timed('baseline JSON.parse(doc)', n, async () => {
    JSON.parse(text);
  });
}
{
  const reqs = prebuilt(n, (i) => req('PUT', `/bench/_doc/${i}`, doc(i)));
  await timed('index (PUT _doc/id)', n, async (i) => {
    const r = await engine.handle(reqs[i] ?? req('GET', '/'));
    if (r.status !== 201) throw new Error(`index ${i}: ${r.status}`);
  });
}
{
  const reqs = prebuilt(n, (i) => req('GET', `/bench/_doc/${i}`));
  await timed('get (GET _doc/id)', n, async (i) => {
    const r = await engine.handle(reqs[i] ?? req('GET', '/'));
    if (r.status !== 200) throw new Error(`get ${i}: ${r.status}`);
  });
}
{
  const reqs = prebuilt(n, (i) => req('POST', `/bench/_update/${i}`, { doc: { state: 'active' } }, { if_seq_no: String(i), if_primary_term: '1' }));
  await timed('update (conditional partial)', n, async (i) => {
    const r = await engine.handle(reqs[i] ?? req('GET', '/'));
    if (r.status !== 200) throw new Error(`update ${i}: ${r.status} ${JSON.stringify(r.body)}`);
  });
}

let next = n;
const bulks: EngineRequest[] = [];
for (let done = 0; done < bulkDocs; done += batch) {
  const lines: string[] = [];
  for (let j = 0; j < batch; j++, next++) lines.push(`{"index":{"_index":"bench","_id":"${next}"}}`, JSON.stringify(doc(next)));
  bulks.push(req('POST', '/_bulk', lines.join('\n') + '\n'));
}
const t0 = performance.now();
const c0 = process.cpuUsage();
for (const b of bulks) {
  const r = await engine.handle(b);
  if (r.status !== 200 || (r.body as { errors: boolean }).errors) throw new Error('bulk failed');
}
report('bulk index docs (1000/req)', bulkDocs, performance.now() - t0, c0);

// Timers never fire inside the loops above (every request completes in microtasks), so each
// phase is the store alone and search-side indexing of all documents happens here, in one go.
const tr = performance.now();
const cr = process.cpuUsage();
await engine.handle(req('POST', '/bench/_refresh'));
report(`refresh (search indexing)`, bulkDocs + n, performance.now() - tr, cr);
await engine.close();
console.log(`load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
