/**
 * Enqueue→start latency with an idle worker, and lateness of delayed jobs. `bench-stamp` jobs
 * return the time their handler started; the payload carries the time just before enqueue was
 * called (`t0`) and the job's `runAt`. Jobs are enqueued one at a time with gaps, so the worker
 * is idle when each arrives.
 * - same process: a Worker sharing the Scheduler's event bus (a local enqueue wakes it at once);
 * - cross process: an `esjobs worker start` process, which finds jobs by polling.
 */
import type { Worker } from '@esjobs/worker';
import { stamp } from '../jobs.js';
import { type Harness, countJobs, inProcessWorker, readJobs } from '../lib/harness.js';
import { type Child, spawnWorker } from '../lib/processes.js';
import { type Distribution, distribution, sleep } from '../lib/stats.js';

export type WorkerPlacement = 'same-process' | 'cross-process';

export interface LatencyResults {
  readonly placement: WorkerPlacement;
  /** enqueue call → handler start, ms */
  readonly enqueueToStart: Distribution;
  /** runAt → handler start for jobs delayed by 2 s, ms */
  readonly delayedLateness: Distribution;
  readonly peakRssBytes: number | undefined;
}

interface Stamp {
  readonly t0: number;
  readonly runAt: number;
}

async function startWorker(h: Harness, placement: WorkerPlacement, queue: string): Promise<{ stop(): Promise<void>; child: Child | undefined }> {
  if (placement === 'same-process') {
    const w: Worker = inProcessWorker(h, queue, 10);
    await w.start();
    return { stop: () => w.stop({ timeout: '5s' }), child: undefined };
  }
  const url = h.target.url;
  if (url === undefined) throw new Error('cross-process latency needs an HTTP target');
  const child = await spawnWorker({ url, prefix: h.prefix, queue, concurrency: 10 });
  return { stop: () => child.stop(), child };
}

async function waitCompleted(h: Harness, queue: string, n: number, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end && (await countJobs(h, queue, 'completed')) < n) await sleep(250);
}

async function lags(h: Harness, queue: string, from: (s: Stamp) => number): Promise<number[]> {
  const docs = await readJobs(h, queue, ['payload', 'result']);
  const out: number[] = [];
  for (const d of docs) {
    const p = d['payload'] as Partial<Stamp> | undefined;
    const r = d['result'] as { startedAt?: number } | undefined;
    if (typeof p?.t0 === 'number' && typeof p.runAt === 'number' && typeof r?.startedAt === 'number') out.push(r.startedAt - from({ t0: p.t0, runAt: p.runAt }));
  }
  return out;
}

export async function benchLatency(h: Harness, placement: WorkerPlacement): Promise<LatencyResults> {
  const immediate = h.queue(`lat-${placement}`);
  const delayed = h.queue(`late-${placement}`);
  const n = h.quick ? 15 : 40;
  const gapMs = placement === 'same-process' ? 100 : 400;
  const w1 = await startWorker(h, placement, immediate);
  let peakRssBytes: number | undefined;
  try {
    // Let the worker go idle (its poll backs off) before measuring.
    await sleep(2_500);
    for (let i = 0; i < n; i++) {
      const t0 = Date.now();
      await h.scheduler.enqueue(stamp, { t0, runAt: t0 }, { queue: immediate });
      await sleep(gapMs + Math.random() * gapMs);
    }
    await waitCompleted(h, immediate, n, 30_000);
    peakRssBytes = w1.child?.peakRss();
  } finally {
    await w1.stop();
  }
  const w2 = await startWorker(h, placement, delayed);
  try {
    await sleep(2_500);
    const delayMs = 2_000;
    for (let i = 0; i < n; i++) {
      const t0 = Date.now();
      await h.scheduler.enqueue(stamp, { t0, runAt: t0 + delayMs }, { queue: delayed, runAt: t0 + delayMs });
      await sleep(50 + Math.random() * 100);
    }
    await waitCompleted(h, delayed, n, 30_000);
  } finally {
    await w2.stop();
  }
  return {
    placement,
    enqueueToStart: distribution(await lags(h, immediate, (s) => s.t0)),
    delayedLateness: distribution(await lags(h, delayed, (s) => s.runAt)),
    peakRssBytes,
  };
}
