/**
 * Processing throughput of no-op jobs. A backlog is enqueued into a paused queue, the workers
 * start, and once every one of them is ready the queue is resumed, so no worker races through
 * the backlog while the others are still loading their code (on 2 cores, four processes
 * compiling at once would be most of what is measured). Throughput is read from the jobs' own
 * `finishedAt` times over the middle 80% of completions, so the staggered pick-up of the resume
 * (paused-queue cache plus one idle poll, about 2 s at most) and the last stragglers do not count. Worker processes are real
 * `esjobs worker start` processes; against the in-process engine they are Worker instances in
 * the benchmark process (an in-process engine cannot be shared across processes).
 *
 * Steady state is what is measured: unless `--no-warmup`, the workers first run a warm-up backlog
 * of half the size, so the measured one meets compiled code rather than the JIT's first seconds
 * (which ran on the main threads and on V8's background threads of all four processes). CPU time
 * per job (engine and workers, from /proc) covers the measured backlog from resume to the last
 * completion seen, so it shows how close a case is to what the cores can give.
 */
import { JobStore } from '@esjobs/core';
import type { Worker } from '@esjobs/worker';
import { type Harness, anyPending, deleteQueue, inProcessWorker, readJobs } from '../lib/harness.js';
import { type Child, type ProcessCpu, spawnWorker } from '../lib/processes.js';
import { percentile, sleep } from '../lib/stats.js';

export interface ProcessingCase {
  readonly processes: number;
  readonly concurrency: number;
}

export interface ProcessingResult extends ProcessingCase {
  readonly jobs: number;
  readonly completed: number;
  readonly jobsPerSec: number;
  /** Wall time from the first start to the last finish, ms. */
  readonly wallMs: number;
  readonly inProcess: boolean;
  /** Largest peak RSS among the worker processes, bytes. */
  readonly peakRssBytes: number | undefined;
  /** CPU time per job from the resume to the last completion (Linux; undefined elsewhere). */
  readonly cpuPerJob: CpuPerJob | undefined;
}

/**
 * Where the CPU went, per job, in µs. On 2 cores, 2,000,000 µs of CPU per second is all there
 * is: engine + workers per job sets the ceiling of jobs/s (see docs/benchmarks.md).
 */
export interface CpuPerJob {
  /** The engine process (HTTP targets), all threads. */
  readonly engineUs: number | undefined;
  /** The worker processes together, all threads (undefined in-process). */
  readonly workersUs: number | undefined;
  /** In-process target: the benchmark process, engine and workers together. */
  readonly inProcessUs: number | undefined;
  /** Share of the run the engine's main thread was ready to run but waited for a CPU. */
  readonly engineWaitShare: number | undefined;
}

interface CpuMark {
  readonly at: number;
  readonly engine: ProcessCpu | undefined;
  readonly workers: readonly (ProcessCpu | undefined)[];
  readonly self: NodeJS.CpuUsage;
}

function markCpu(engine: Child | undefined, children: readonly Child[]): CpuMark {
  return { at: performance.now(), engine: engine?.cpu(), workers: children.map((c) => c.cpu()), self: process.cpuUsage() };
}

function cpuPerJob(a: CpuMark, b: CpuMark, jobs: number, inProcess: boolean): CpuPerJob | undefined {
  if (inProcess) {
    const us = b.self.user + b.self.system - a.self.user - a.self.system;
    return { engineUs: undefined, workersUs: undefined, inProcessUs: us / jobs, engineWaitShare: undefined };
  }
  let workersNs = 0;
  for (const [i, w] of a.workers.entries()) {
    const end = b.workers[i];
    if (w === undefined || end === undefined) return undefined;
    workersNs += end.runNs - w.runNs;
  }
  const engineNs = a.engine === undefined || b.engine === undefined ? undefined : b.engine.runNs - a.engine.runNs;
  const waitNs = a.engine === undefined || b.engine === undefined ? undefined : b.engine.mainWaitNs - a.engine.mainWaitNs;
  return {
    engineUs: engineNs === undefined ? undefined : engineNs / 1000 / jobs,
    workersUs: workersNs / 1000 / jobs,
    inProcessUs: undefined,
    engineWaitShare: waitNs === undefined ? undefined : waitNs / 1e6 / (b.at - a.at),
  };
}

export const processingCases: readonly ProcessingCase[] = [
  { processes: 1, concurrency: 10 },
  { processes: 1, concurrency: 50 },
  { processes: 4, concurrency: 50 },
];

async function enqueueBacklog(h: Harness, queue: string, jobs: number): Promise<void> {
  for (let sent = 0; sent < jobs; sent += 1000) {
    const n = Math.min(1000, jobs - sent);
    const out = await h.scheduler.enqueueMany(Array.from({ length: n }, () => ({ name: 'bench-noop', payload: {}, options: { queue } })));
    if (out.some((o) => o.status === 'error')) throw new Error('backlog enqueue failed');
  }
}

/**
 * Runs `warmupJobs` through the started workers, so the measured backlog meets processes whose
 * hot code is compiled (fresh processes spend their first seconds in the JIT and its background
 * threads), then leaves the queue paused and empty for the backlog.
 */
async function warmUp(h: Harness, store: JobStore, queue: string, warmupJobs: number, deadline: number): Promise<void> {
  while (await anyPending(h, queue)) {
    if (Date.now() > deadline) throw new Error(`warm-up: ${warmupJobs} jobs not done in time`);
    await sleep(250);
  }
  await store.pauseQueue(queue);
  await deleteQueue(h, queue);
  // Every worker has seen the pause (its paused-queue cache of 1 s expired, then one idle poll of
  // at most 1 s) before the backlog lands.
  await sleep(2_500);
}

export async function benchProcessing(h: Harness, c: ProcessingCase, warmup: boolean): Promise<ProcessingResult> {
  const jobs = (h.quick ? 3_000 : 30_000) * (c.processes > 1 ? 2 : 1);
  const queue = h.queue(`proc${c.processes}x${c.concurrency}`);
  const store = new JobStore(h.ctx);
  await store.pauseQueue(queue);
  const warmupJobs = warmup ? jobs / 2 : 0;
  await enqueueBacklog(h, queue, warmupJobs > 0 ? warmupJobs : jobs);
  const url = h.target.url;
  const children: Child[] = [];
  const workers: Worker[] = [];
  let peakRssBytes: number | undefined;
  // Slow targets get time, but a stuck run must end.
  const deadline = Date.now() + 30_000 + (jobs + warmupJobs) * 5;
  let cpuStart: CpuMark | undefined;
  let cpuEnd: CpuMark | undefined;
  const engine = h.target.engineProcess;
  try {
    if (url === undefined) {
      for (let i = 0; i < c.processes; i++) workers.push(inProcessWorker(h, queue, c.concurrency));
      await Promise.all(workers.map((w) => w.start()));
    } else {
      children.push(...(await Promise.all(Array.from({ length: c.processes }, () => spawnWorker({ url, prefix: h.prefix, queue, concurrency: c.concurrency })))));
    }
    if (warmupJobs > 0) {
      await store.resumeQueue(queue);
      await warmUp(h, store, queue, warmupJobs, deadline);
      await enqueueBacklog(h, queue, jobs);
    }
    cpuStart = markCpu(engine, children);
    await store.resumeQueue(queue);
    while (Date.now() < deadline) {
      await sleep(500);
      // Near-real-time (at most a refresh interval behind) is enough to see the end.
      const pending = await anyPending(h, queue);
      for (const child of children) peakRssBytes = Math.max(peakRssBytes ?? 0, child.peakRss() ?? 0);
      if (!pending) {
        cpuEnd = markCpu(engine, children);
        break;
      }
    }
  } finally {
    await Promise.all(workers.map((w) => w.stop({ timeout: '5s' })));
    await Promise.all(children.map((child) => child.stop()));
    if (process.env['ESJOBS_BENCH_DEBUG'] === '1') {
      for (const child of children) console.log(child.output().split('\n').filter((l) => /shutdown complete/.test(l)).join('\n'));
      for (const w of workers) console.log(JSON.stringify(w.stats));
    }
  }
  const docs = await readJobs(h, queue, ['startedAt', 'finishedAt', 'state']);
  const finished = docs.flatMap((d) => (d['state'] === 'completed' && typeof d['finishedAt'] === 'string' ? [Date.parse(d['finishedAt'])] : []));
  const started = docs.flatMap((d) => (typeof d['startedAt'] === 'string' ? [Date.parse(d['startedAt'])] : []));
  const lo = percentile(finished, 0.1);
  const hi = percentile(finished, 0.9);
  const middle = finished.filter((t) => t >= lo && t <= hi).length;
  const jobsPerSec = hi > lo ? (middle * 1000) / (hi - lo) : Number.NaN;
  if (process.env['ESJOBS_BENCH_DEBUG'] === '1') {
    // Completions per 500 ms from the first one: shows warm-up, stalls and the tail.
    const first = Math.min(...finished);
    const bins: number[] = [];
    for (const t of finished) {
      const i = Math.floor((t - first) / 500);
      bins[i] = (bins[i] ?? 0) + 1;
    }
    console.log(`completions per 500 ms: ${Array.from(bins, (n) => n ?? 0).join(' ')}`);
  }
  await deleteQueue(h, queue);
  return {
    ...c,
    jobs,
    completed: finished.length,
    jobsPerSec,
    wallMs: Math.max(...finished) - Math.min(...started),
    inProcess: url === undefined,
    peakRssBytes,
    cpuPerJob: cpuStart === undefined || cpuEnd === undefined ? undefined : cpuPerJob(cpuStart, cpuEnd, jobs, url === undefined),
  };
}
