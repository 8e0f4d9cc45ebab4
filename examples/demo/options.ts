/**
 * Demo options from argv and the environment: defaults, `withDefaults()` and `validate()`.
 * `--once` (or CI=true) runs non-interactively: stop when every expected outcome happened (exit
 * 0) or when `--timeout` runs out (exit 1).
 */
import { parseArgs } from 'node:util';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface DemoOptions {
  /** Stop after the expected outcomes instead of running until Ctrl-C. @defaultValue `true` when CI=true, else `false` */
  readonly once?: boolean;
  /** Engine data dir (durable). @defaultValue `.esjobs-data/demo`, or a fresh temp dir with --once */
  readonly dataDir?: string;
  /** Worker processes to start. @defaultValue `2` */
  readonly workers?: number;
  /** Concurrency of each worker process. @defaultValue `20` */
  readonly concurrency?: number;
  /** Bulk-enqueued `resize-image` jobs (the throughput part). @defaultValue `2000`, `300` with --once */
  readonly bulkJobs?: number;
  /** With --once: give up after this long, ms. @defaultValue `60000` */
  readonly timeoutMs?: number;
}

export interface ResolvedDemoOptions {
  readonly once: boolean;
  readonly dataDir: string;
  /** The data dir is a temp dir the demo removes at the end. */
  readonly tempDataDir: boolean;
  readonly workers: number;
  readonly concurrency: number;
  readonly bulkJobs: number;
  readonly timeoutMs: number;
}

export const workersDefault = 2;
export const concurrencyDefault = 20;
export const bulkJobsDefault = 2000;
export const bulkJobsOnceDefault = 300;
export const timeoutMsDefault = 60_000;
export const dataDirDefault = '.esjobs-data/demo';

function count(field: string, value: number, max: number): number {
  if (!Number.isInteger(value) || value < 1 || value > max) throw new RangeError(`${field} must be an integer from 1 to ${max}, got ${String(value)}`);
  return value;
}

export function withDefaults(o: DemoOptions, ci: boolean): ResolvedDemoOptions {
  const once = o.once ?? ci;
  const tempDataDir = o.dataDir === undefined && once;
  return {
    once,
    dataDir: o.dataDir ?? (once ? join(tmpdir(), `esjobs-demo-${process.pid}-${Date.now()}`) : dataDirDefault),
    tempDataDir,
    workers: count('--workers', o.workers ?? workersDefault, 16),
    concurrency: count('--concurrency', o.concurrency ?? concurrencyDefault, 1000),
    bulkJobs: count('--jobs', o.bulkJobs ?? (once ? bulkJobsOnceDefault : bulkJobsDefault), 1_000_000),
    timeoutMs: count('--timeout', o.timeoutMs ?? timeoutMsDefault, 3_600_000),
  };
}

/** Parse argv; throws RangeError naming the flag and the bad value. */
export function validate(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): ResolvedDemoOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      once: { type: 'boolean' },
      'data-dir': { type: 'string' },
      workers: { type: 'string' },
      concurrency: { type: 'string' },
      jobs: { type: 'string' },
      timeout: { type: 'string' },
    },
  });
  const num = (v: string | undefined): number | undefined => (v === undefined ? undefined : Number(v));
  const timeoutS = num(values.timeout);
  return withDefaults(
    {
      ...(values.once === undefined ? {} : { once: values.once }),
      ...(values['data-dir'] === undefined ? {} : { dataDir: values['data-dir'] }),
      ...(values.workers === undefined ? {} : { workers: num(values.workers) }),
      ...(values.concurrency === undefined ? {} : { concurrency: num(values.concurrency) }),
      ...(values.jobs === undefined ? {} : { bulkJobs: num(values.jobs) }),
      ...(timeoutS === undefined ? {} : { timeoutMs: timeoutS * 1000 }),
    },
    env['CI'] === 'true' || env['CI'] === '1',
  );
}

export const usage = `usage: pnpm demo [--once] [--data-dir DIR] [--workers N] [--concurrency N] [--jobs N] [--timeout SECONDS]
  --once         stop when every expected outcome happened (exit 0), or fail after --timeout (exit 1); implied by CI=true
  --data-dir     engine data dir (default ${dataDirDefault}; a temp dir with --once)
  --workers      worker processes (default ${workersDefault}), each with --concurrency (default ${concurrencyDefault})
  --jobs         bulk resize-image jobs (default ${bulkJobsDefault}, ${bulkJobsOnceDefault} with --once)
  --timeout      seconds before --once gives up (default ${timeoutMsDefault / 1000})`;
