/**
 * `pnpm demo`: the embedded engine over HTTP with a data dir, a scheduler with a recurring job,
 * two `esjobs worker start` processes running examples/quickstart, and a mix of prioritized,
 * delayed, flaky and always-failing jobs, with live progress. Ctrl-C shuts everything down
 * gracefully. `--once` (or CI=true) exits 0 once every expected outcome happened, 1 otherwise.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { bootstrap, openBackend, teardown } from '@esjobs/core';
import { startEngine } from '@esjobs/embedded';
import { Scheduler } from '@esjobs/scheduler';
import { usage, validate } from './options.js';
import { checkExpectations, enqueueMix } from './outcomes.js';
import { ProgressView, totals } from './progress.js';
import { startWorkerProcess } from './workers.js';
import { reportEvery2s } from '../quickstart/schedules.js';

const prefix = 'demo';
const minFires = 2;

if (process.argv.includes('--help') || process.argv.includes('-h')) {
  console.log(usage);
  process.exit(0);
}
let options;
try {
  options = validate(process.argv.slice(2), process.env);
} catch (err) {
  console.error(`${err instanceof Error ? err.message : String(err)}\n${usage}`);
  process.exit(2);
}
const o = options;
const out = (text: string): void => void process.stdout.write(text);
const started = Date.now();

mkdirSync(o.dataDir, { recursive: true });
const engine = await startEngine({ port: 0, dataDir: o.dataDir });
out(`embedded engine on ${engine.url} (data dir ${o.dataDir})\n`);
const backend = await openBackend({ es: engine.url, prefix });
// A fresh start each run: the data dir may hold the previous run's jobs.
await teardown(backend.ctx);
await bootstrap(backend.ctx);
const scheduler = new Scheduler({ es: backend.ctx });
await scheduler.start();
await scheduler.schedule(reportEvery2s);
out(`scheduler running: '${reportEvery2s.name}' fires ${reportEvery2s.cron}\n`);

const workers = Array.from({ length: o.workers }, (_, i) => startWorkerProcess(i + 1, engine.url, prefix, o.concurrency, o.dataDir));
let shuttingDown: Promise<void> | undefined;
let interrupted = false;
const onSignal = (): void => {
  if (shuttingDown !== undefined) {
    out('\nsecond signal: exiting now\n');
    process.exit(130);
  }
  interrupted = true;
  stop.abort();
};
const stop = new AbortController();
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

let exitCode = 0;
const met = new Map<string, boolean>();
let fires = 0;
let outcomes: { label: string; met: number; of: number }[] = [];
let peak = 0;
try {
  await Promise.race([Promise.all(workers.map((w) => w.ready)), new Promise((_, reject) => stop.signal.addEventListener('abort', () => reject(new Error('interrupted'))))]);
  out(`${o.workers} worker processes ready (pids ${workers.map((w) => w.pid).join(', ')}; logs in ${o.dataDir}/worker-*.log)\n`);
  const plan = await enqueueMix(scheduler, o.bulkJobs);
  out(`enqueued ${o.bulkJobs} resize-image jobs in bulk, 20 emails (5 prioritized), 10 delayed, 5 flaky charges, 3 always-failing syncs\n${o.once ? '' : 'Ctrl-C stops everything gracefully.\n'}\n`);

  const view = new ProgressView(process.stdout.isTTY && !o.once, out);
  let lastCompleted = 0;
  let lastAt = Date.now();
  let announced = false;
  while (!stop.signal.aborted) {
    const counts = await scheduler.store.queueStats();
    const now = Date.now();
    const completed = totals(counts).completed;
    const rate = ((completed - lastCompleted) * 1000) / Math.max(1, now - lastAt);
    peak = Math.max(peak, rate);
    lastCompleted = completed;
    lastAt = now;
    // Fired jobs carry their schedule's name.
    const fired = await backend.ctx.client.count({ index: backend.ctx.names.jobs, query: { bool: { filter: [{ term: { scheduleName: reportEvery2s.name } }, { term: { state: 'completed' } }] } } });
    fires = fired.count;
    const metCounts = await checkExpectations(scheduler.store, plan, met);
    outcomes = [
      { label: `bulk resize-image jobs completed`, met: Math.min(counts['default']?.completed ?? 0, plan.bulkJobs), of: plan.bulkJobs },
      ...plan.expectations.map((e, i) => ({ label: e.label, met: metCounts[i] ?? 0, of: e.ids.length })),
      { label: `recurring report fires completed (at least ${minFires})`, met: Math.min(fires, minFires), of: minFires },
    ];
    view.update({ elapsedMs: now - started, counts, jobsPerSec: rate, peakJobsPerSec: peak, fires, outcomes, workers: o.workers });
    const allMet = outcomes.every((x) => x.met >= x.of);
    if (allMet && !announced) {
      announced = true;
      if (o.once) break;
      view.detach();
      out('\nall expected outcomes happened; the schedule keeps firing. Ctrl-C to stop.\n\n');
    }
    if (o.once && now - started > o.timeoutMs) {
      out(`\ntimed out after ${o.timeoutMs / 1000} s\n`);
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  if (outcomes.length === 0 || !outcomes.every((x) => x.met >= x.of)) exitCode = interrupted ? 0 : 1;
} catch (err) {
  if (!interrupted) {
    out(`\ndemo failed: ${err instanceof Error ? err.message : String(err)}\n`);
    exitCode = 1;
  }
} finally {
  shuttingDown = (async () => {
    out(`\n${interrupted ? 'interrupted: ' : ''}shutting down: workers finish or release their jobs…\n`);
    const codes = await Promise.all(workers.map((w) => w.stop(30_000)));
    if (codes.some((c) => c !== 0)) out(`worker exit codes: ${codes.join(', ')}\n`);
    await scheduler.stop();
    await backend.close();
    await engine.close();
  })();
  await shuttingDown;
}

out('\nsummary\n');
for (const x of outcomes) out(`  ${x.met >= x.of ? 'ok     ' : 'MISSING'} ${x.label}: ${x.met}/${x.of}\n`);
out(`  recurring fires completed: ${fires}; peak throughput ${Math.round(peak)} jobs/s, ${((Date.now() - started) / 1000).toFixed(1)} s in all\n`);
if (o.tempDataDir) rmSync(o.dataDir, { recursive: true, force: true });
else out(`  data kept in ${o.dataDir} (durable; the next run starts afresh)\n`);
out(exitCode === 0 ? (interrupted ? 'stopped.\n' : 'all expected outcomes happened.\n') : 'some expected outcomes did not happen.\n');
process.exitCode = exitCode;
