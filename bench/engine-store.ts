/**
 * Engine-level store throughput: single-document index / get / update and bulk, calling
 * `engine.handle` directly (no transport). Run:
 *   node --conditions=@esjobs/source --import tsx bench/engine-store.ts
 */
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
await timed('index (PUT _doc/id)', n, async (i) => {
  const r = await engine.handle(req('PUT', `/bench/_doc/${i}`, doc(i)));
  if (r.status !== 201) throw new Error(`index ${i}: ${r.status}`);
});
await timed('get (GET _doc/id)', n, async (i) => {
  const r = await engine.handle(req('GET', `/bench/_doc/${i}`));
  if (r.status !== 200) throw new Error(`get ${i}: ${r.status}`);
});
await timed('update (conditional partial)', n, async (i) => {
  const r = await engine.handle(req('POST', `/bench/_update/${i}`, { doc: { state: 'active' } }, { if_seq_no: String(i), if_primary_term: '1' }));
  if (r.status !== 200) throw new Error(`update ${i}: ${r.status} ${JSON.stringify(r.body)}`);
});

let next = n;
const lines: string[] = [];
const t0 = performance.now();
const c0 = process.cpuUsage();
for (let done = 0; done < bulkDocs; done += batch) {
  lines.length = 0;
  for (let j = 0; j < batch; j++, next++) lines.push(`{"index":{"_index":"bench","_id":"${next}"}}`, JSON.stringify(doc(next)));
  const r = await engine.handle(req('POST', '/_bulk', lines.join('\n') + '\n'));
  if (r.status !== 200 || (r.body as { errors: boolean }).errors) throw new Error('bulk failed');
}
report('bulk index docs (1000/req)', bulkDocs, performance.now() - t0, c0);

const tr = performance.now();
await engine.handle(req('POST', '/bench/_refresh'));
console.log(`refresh of ${bulkDocs + n} docs: ${(performance.now() - tr).toFixed(0)} ms`);
await engine.close();
