/**
 * `pnpm bench [--quick] [--targets in-process,http,http-realistic,elasticsearch] [--out FILE]
 * [--no-engine] [--no-warmup] [--cases enqueue,processing,latency,locks] [--processing 1x10,1x50,4x50]`: the esjobs benchmark suite. For each target: enqueue throughput, processing
 * throughput of no-op jobs, enqueue→start latency, delayed-job lateness, lock ops/s, peak RSS
 * of worker processes; then the engine-level benchmarks (bench/engine-*.ts). Prints a table and
 * JSON, and writes the JSON to bench/results/latest.json (or --out).
 * The real-cluster target runs when ESJOBS_BENCH_ES_URL is set (credentials: ESJOBS_ES_API_KEY,
 * ESJOBS_ES_USERNAME/ESJOBS_ES_PASSWORD, ESJOBS_ES_CA_FILE).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { benchEnqueue } from './cases/enqueue.js';
import { benchLatency } from './cases/latency.js';
import { benchLocks } from './cases/locks.js';
import { benchProcessing, processingCases } from './cases/processing.js';
import { runEngineBenchmarks } from './lib/engine-scripts.js';
import { openHarness } from './lib/harness.js';
import { repoRoot } from './lib/processes.js';
import { type TargetResult, renderResults } from './lib/report.js';
import { type TargetName, openTarget, targetNames } from './lib/targets.js';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    targets: { type: 'string' },
    out: { type: 'string' },
    'no-engine': { type: 'boolean', default: false },
    'no-warmup': { type: 'boolean', default: false },
    cases: { type: 'string' },
    processing: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (values.help) {
  console.log('usage: pnpm bench [--quick] [--targets in-process,http,http-realistic,elasticsearch] [--out FILE] [--no-engine] [--no-warmup] [--cases enqueue,processing,latency,locks] [--processing 1x10,1x50,4x50]');
  process.exit(0);
}
const quick = values.quick;
const esUrl = process.env['ESJOBS_BENCH_ES_URL'];
const requested = values.targets?.split(',').map((t) => t.trim()) ?? targetNames.filter((t) => t !== 'elasticsearch' || (esUrl !== undefined && esUrl !== ''));
for (const t of requested) {
  if (!(targetNames as readonly string[]).includes(t)) {
    console.error(`--targets: unknown target "${t}" (known: ${targetNames.join(', ')})`);
    process.exit(2);
  }
}
const caseNames = ['enqueue', 'processing', 'latency', 'locks'] as const;
const wanted = new Set(values.cases?.split(',').map((c) => c.trim()) ?? caseNames);
for (const c of wanted) {
  if (!(caseNames as readonly string[]).includes(c)) {
    console.error(`--cases: unknown case "${c}" (known: ${caseNames.join(', ')})`);
    process.exit(2);
  }
}
const processingNames = processingCases.map((c) => `${c.processes}x${c.concurrency}`);
const processingWanted = new Set(values.processing?.split(',').map((c) => c.trim()) ?? processingNames);
for (const c of processingWanted) {
  if (!processingNames.includes(c)) {
    console.error(`--processing: unknown case "${c}" (known: ${processingNames.join(', ')})`);
    process.exit(2);
  }
}
if (esUrl === undefined || esUrl === '') console.log('real Elasticsearch: skipped (set ESJOBS_BENCH_ES_URL to include it)');

function step<T>(label: string, errors: string[], f: () => Promise<T>): Promise<T | undefined> {
  const t = performance.now();
  process.stdout.write(`  ${label} … `);
  return f().then(
    (v) => {
      console.log(`${((performance.now() - t) / 1000).toFixed(1)} s`);
      return v;
    },
    (err: unknown) => {
      const msg = err instanceof Error ? err.message : String(err);
      console.log(`FAILED: ${msg.split('\n')[0] ?? ''}`);
      errors.push(`${label}: ${msg}`);
      return undefined;
    },
  );
}

async function benchTarget(name: TargetName): Promise<TargetResult> {
  console.log(`\n${name}`);
  const target = await openTarget(name, process.env);
  const h = await openHarness(target, quick);
  const errors: string[] = [];
  try {
    const enqueue = wanted.has('enqueue') ? await step('enqueue', errors, () => benchEnqueue(h)) : undefined;
    const processing = [];
    for (const c of wanted.has('processing') ? processingCases.filter((p) => processingWanted.has(`${p.processes}x${p.concurrency}`)) : []) {
      const r = await step(`processing ${c.processes}×${c.concurrency}`, errors, () => benchProcessing(h, c, !values['no-warmup']));
      if (r !== undefined) processing.push(r);
    }
    const latency = [];
    const placements = target.url === undefined ? (['same-process'] as const) : (['same-process', 'cross-process'] as const);
    for (const placement of wanted.has('latency') ? placements : []) {
      const r = await step(`latency ${placement}`, errors, () => benchLatency(h, placement));
      if (r !== undefined) latency.push(r);
    }
    const locks = wanted.has('locks') ? await step('locks', errors, () => benchLocks(h)) : undefined;
    const engineRssBytes = target.engineProcess?.peakRss();
    return { target: name, description: target.description, enqueue, processing, latency, locks, engineRssBytes, errors };
  } finally {
    await h.close().catch(() => undefined);
    await target.close();
  }
}

function machine(): Record<string, unknown> {
  const cpu = cpus();
  let uptime = '';
  try {
    uptime = execFileSync('uptime', { encoding: 'utf8' }).trim();
  } catch {
    uptime = `load average ${loadavg().map((l) => l.toFixed(2)).join(', ')}`;
  }
  return { cpus: cpu.length, cpuModel: cpu[0]?.model ?? 'unknown', memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version, platform: process.platform, uptimeAtStart: uptime };
}

const started = new Date();
const machineInfo = machine();
console.log(`esjobs bench ${quick ? '(quick) ' : ''}— ${String(machineInfo['cpus'])} × ${String(machineInfo['cpuModel'])}, node ${process.version}`);
console.log(`load: ${String(machineInfo['uptimeAtStart'])}`);
const results: TargetResult[] = [];
for (const name of requested as TargetName[]) results.push(await benchTarget(name));
const engine = values['no-engine'] ? undefined : await runEngineBenchmarks(quick);
const report = {
  startedAt: started.toISOString(),
  durationS: Math.round((Date.now() - started.getTime()) / 1000),
  quick,
  machine: { ...machineInfo, loadAtEnd: loadavg().map((l) => Number(l.toFixed(2))) },
  targets: results,
  engine,
};
console.log(`\n${renderResults(results)}`);
if (engine !== undefined) console.log(`\nengine-level benchmarks:\n${engine.map((e) => `## ${e.script}\n${e.output}`).join('\n')}`);
const json = JSON.stringify(report, null, 2);
console.log(`\n${json}`);
const out = resolve(values.out ?? resolve(repoRoot, 'bench/results/latest.json'));
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${json}\n`);
console.log(`\nwritten to ${out}`);
process.exitCode = results.some((r) => r.errors.length > 0) ? 1 : 0;
