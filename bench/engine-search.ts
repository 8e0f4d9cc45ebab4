/**
 * Claim-shaped search over 100k documents in the embedded engine's search side:
 * filter term(state) + terms(queue) + range(runAt <= now), sort priority desc, runAt asc,
 * jobId asc, size 40. Prints p50/p99 with default total-hit tracking, with tracking off, and
 * with a refresh of 40 changed documents between searches (the claim loop's steady state).
 *
 * Run: node --conditions=@esjobs/source --import tsx bench/engine-search.ts [docs]
 */
import type { EngineRequest, IndexedValue, IndexHandle, MappingView, ResolvedField, StoreAccess, StoredDoc } from '../packages/embedded/src/contracts.js';
import { SearchIndex, handleSearch } from '../packages/embedded/src/search/index.js';

const docs = Number(process.argv[2] ?? 100_000);
const now = Date.UTC(2024, 5, 1);
const queues = ['q0', 'q1', 'q2', 'q3', 'q4', 'q5', 'q6', 'q7', 'q8', 'q9'];

const fields: Record<string, ResolvedField> = {
  jobId: { path: 'jobId', type: 'keyword', searchable: true, docValues: true },
  state: { path: 'state', type: 'keyword', searchable: true, docValues: true },
  queue: { path: 'queue', type: 'keyword', searchable: true, docValues: true },
  priority: { path: 'priority', type: 'integer', searchable: true, docValues: true },
  runAt: { path: 'runAt', type: 'date', format: 'strict_date_optional_time||epoch_millis', searchable: true, docValues: true },
};
const mapping: MappingView = { field: (p) => fields[p], fieldPaths: () => Object.keys(fields) };
const si = new SearchIndex(mapping);
let seq = 0;

function makeDoc(i: number, state: string): StoredDoc {
  const jobId = `job-${String(i).padStart(7, '0')}`;
  // independent pseudo-random attributes: queue, priority and state are not correlated
  const queue = queues[mix(i, 1) % queues.length] ?? 'q0';
  const priority = mix(i, 2) % 10;
  const runAt = now - 3_600_000 + ((i * 7919) % 7_200_000); // half due, half in the future
  const source = { jobId, state, queue, priority, runAt: new Date(runAt).toISOString(), payload: { n: i } };
  const f = new Map<string, IndexedValue[]>([
    ['jobId', [jobId]], ['state', [state]], ['queue', [queue]], ['priority', [priority]], ['runAt', [runAt]],
  ]);
  return { index: 'bench-jobs', id: jobId, source, seqNo: seq++, primaryTerm: 1, version: 1, fields: f };
}

function mix(i: number, salt: number): number {
  let h = Math.imul(i ^ (salt * 0x9e3779b9), 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

const initial = new Map<string, StoredDoc>();
for (let i = 0; i < docs; i++) initial.set(`job-${String(i).padStart(7, '0')}`, makeDoc(i, mix(i, 3) % 10 < 7 ? 'queued' : 'completed'));
let t = performance.now();
si.applyRefresh(initial);
console.log(`indexed ${docs} docs in ${(performance.now() - t).toFixed(0)} ms`);

const handle: IndexHandle = {
  name: 'bench-jobs', uuid: 'bench', mapping, searchSide: si,
  getLive: () => undefined, deleteIfMatch: () => 'missing', refresh: () => undefined,
};
const store: StoreAccess = { resolve: () => [handle], now: () => now, commit: async () => undefined };

function claimRequest(extra: Record<string, unknown>, queueSet: readonly string[]): EngineRequest {
  const body = {
    query: { bool: { filter: [{ term: { state: 'queued' } }, { terms: { queue: queueSet } }, { range: { runAt: { lte: 'now' } } }] } },
    sort: [{ priority: 'desc' }, { runAt: 'asc' }, { jobId: 'asc' }],
    size: 40,
    seq_no_primary_term: true,
    ...extra,
  };
  return { method: 'POST', path: '/bench-jobs/_search', query: {}, headers: {}, body: Buffer.from(JSON.stringify(body)) };
}

async function measure(label: string, n: number, extra: Record<string, unknown>, queueSet: readonly string[], between?: (i: number) => void): Promise<void> {
  const times: number[] = [];
  let hits = 0;
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < n; i++) {
    between?.(i);
    const req = claimRequest(extra, queueSet);
    const start = performance.now();
    const res = await handleSearch(store, req, 'bench-jobs');
    times.push(performance.now() - start);
    if (res.status !== 200) throw new Error(JSON.stringify(res.body));
    hits = ((res.body as { hits: { hits: unknown[] } }).hits.hits).length;
  }
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000 / n;
  times.sort((a, b) => a - b);
  const pct = (p: number): string => (times[Math.min(times.length - 1, Math.floor(times.length * p))] ?? 0).toFixed(3);
  console.log(`${label.padEnd(58)} p50 ${pct(0.5)} ms  p99 ${pct(0.99)} ms  cpu/search ${cpuMs.toFixed(3)} ms  (${hits} hits)`);
}

t = performance.now();
await measure('first search (builds the sort cache)', 1, {}, queues);
await measure('claim, all queues, track_total_hits default (10000)', 200, {}, queues);
await measure('claim, all queues, track_total_hits false', 200, { track_total_hits: false }, queues);
await measure('claim, 2 queues, track_total_hits false', 200, { track_total_hits: false }, ['q3', 'q7']);
await measure('claim, 1 queue, track_total_hits default', 200, {}, ['q3']);
let next = docs;
await measure('claim + refresh of 40 changes before each search', 200, { track_total_hits: false }, queues, () => {
  const changes = new Map<string, StoredDoc>();
  for (let k = 0; k < 40; k++) {
    const d = makeDoc(next++ % docs, 'active');
    changes.set(d.id, d);
  }
  si.applyRefresh(changes);
});
console.log(`total ${(performance.now() - t).toFixed(0)} ms`);
