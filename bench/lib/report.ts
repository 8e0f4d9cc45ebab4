/** The results of one target, and the table that sets them beside the targets. */
import type { EnqueueResults } from '../cases/enqueue.js';
import type { LatencyResults, WorkerPlacement } from '../cases/latency.js';
import type { LockResults } from '../cases/locks.js';
import type { CpuPerJob, ProcessingResult } from '../cases/processing.js';
import { pollMaxMsDefault } from '@esjobs/worker';
import { fmtMs, fmtRate } from './stats.js';
import { renderTable } from './table.js';
import type { TargetName } from './targets.js';

export interface TargetResult {
  readonly target: TargetName;
  readonly description: string;
  readonly enqueue: EnqueueResults | undefined;
  readonly processing: readonly ProcessingResult[];
  readonly latency: readonly LatencyResults[];
  readonly locks: LockResults | undefined;
  readonly engineRssBytes: number | undefined;
  readonly errors: readonly string[];
}

interface Row {
  readonly label: string;
  /** Target from issue 6 (embedded over HTTP unless noted). */
  readonly goal: string;
  /** BullMQ 6 / Redis 7 on the same kind of machine, from issue 6. */
  readonly bullmq: string;
  readonly cell: (r: TargetResult) => string;
}

const mib = (b: number | undefined): string => (b === undefined ? '–' : `${Math.round(b / 2 ** 20)} MiB`);

function proc(r: TargetResult, processes: number, concurrency: number): ProcessingResult | undefined {
  return r.processing.find((p) => p.processes === processes && p.concurrency === concurrency);
}

function fmtCpu(c: CpuPerJob | undefined): string {
  if (c === undefined) return '–';
  if (c.inProcessUs !== undefined) return `${Math.round(c.inProcessUs)} (one process)`;
  if (c.workersUs === undefined) return '–';
  if (c.engineUs === undefined) return `workers ${Math.round(c.workersUs)}`;
  return `${Math.round(c.engineUs)} + ${Math.round(c.workersUs)} = ${Math.round(c.engineUs + c.workersUs)}`;
}

function lat(r: TargetResult, placement: WorkerPlacement): LatencyResults | undefined {
  return r.latency.find((l) => l.placement === placement);
}

const rows: readonly Row[] = [
  { label: 'enqueue, single (jobs/s)', goal: '', bullmq: '', cell: (r) => fmtRate(r.enqueue?.singleJobsPerSec) },
  { label: 'enqueue, bulk of 1000 (jobs/s)', goal: '≥ 20,000', bullmq: '', cell: (r) => fmtRate(r.enqueue?.bulkJobsPerSec) },
  { label: 'no-op jobs/s, 1 worker × 10', goal: 'realistic: ≥ 2,000', bullmq: '~10,000', cell: (r) => fmtRate(proc(r, 1, 10)?.jobsPerSec) },
  { label: 'no-op jobs/s, 1 worker × 50', goal: 'realistic: ≥ 2,000', bullmq: '~10,000', cell: (r) => fmtRate(proc(r, 1, 50)?.jobsPerSec) },
  { label: 'no-op jobs/s, 4 workers × 50', goal: '≥ 10,000', bullmq: '', cell: (r) => fmtRate(proc(r, 4, 50)?.jobsPerSec) },
  ...([[1, 10], [1, 50], [4, 50]] as const).map(([processes, concurrency]) => ({
    label: `CPU µs per job, ${processes} worker${processes > 1 ? 's' : ''} × ${concurrency}: engine + workers`,
    goal: processes === 4 ? '≤ 200 for 10,000/s on 2 cores' : '',
    bullmq: '',
    cell: (r: TargetResult) => fmtCpu(proc(r, processes, concurrency)?.cpuPerJob),
  })),
  {
    label: 'engine waited for a CPU, 4 workers × 50',
    goal: '',
    bullmq: '',
    cell: (r) => {
      const share = proc(r, 4, 50)?.cpuPerJob?.engineWaitShare;
      return share === undefined ? '–' : `${Math.round(share * 100)} % of the run`;
    },
  },
  ...(['same-process', 'cross-process'] as const).map((p) => ({
    label: `enqueue→start p50/p95/p99 ms, ${p}`,
    goal: p === 'same-process' ? 'p50 ≤ 5' : `p50 ≤ poll interval (${pollMaxMsDefault})`,
    bullmq: p === 'same-process' ? 'p50 ~2' : '',
    cell: (r: TargetResult) => {
      const l = lat(r, p)?.enqueueToStart;
      return l === undefined ? '–' : `${fmtMs(l.p50)} / ${fmtMs(l.p95)} / ${fmtMs(l.p99)}`;
    },
  })),
  ...(['same-process', 'cross-process'] as const).map((p) => ({
    label: `2 s-delayed job lateness p50/p99 ms, ${p}`,
    goal: 'p99 ≤ 100',
    bullmq: '227 / 322',
    cell: (r: TargetResult) => {
      const l = lat(r, p)?.delayedLateness;
      return l === undefined ? '–' : `${fmtMs(l.p50)} / ${fmtMs(l.p99)}`;
    },
  })),
  { label: 'lock acquire+release/s, uncontended', goal: '', bullmq: '', cell: (r) => fmtRate(r.locks?.uncontendedOpsPerSec) },
  { label: 'lock acquire+release/s, 16 contenders', goal: '', bullmq: '', cell: (r) => fmtRate(r.locks?.contended16OpsPerSec) },
  {
    label: 'peak RSS per worker process',
    goal: '',
    bullmq: '',
    cell: (r) => {
      const all = [...r.processing.map((p) => p.peakRssBytes), ...r.latency.map((l) => l.peakRssBytes)].filter((b): b is number => b !== undefined);
      return all.length === 0 ? 'n/a (in-process)' : mib(Math.max(...all));
    },
  },
  { label: 'peak RSS of the engine process', goal: '', bullmq: '', cell: (r) => (r.engineRssBytes === undefined ? '–' : mib(r.engineRssBytes)) },
];

export function renderResults(results: readonly TargetResult[]): string {
  const header = ['', 'target (issue 6)', 'BullMQ ref.', ...results.map((r) => r.target)];
  const table = renderTable(header, rows.map((row) => [row.label, row.goal, row.bullmq, ...results.map(row.cell)]));
  const errors = results.flatMap((r) => r.errors.map((e) => `${r.target}: ${e}`));
  return errors.length === 0 ? table : `${table}\n\nerrors:\n${errors.join('\n')}`;
}
