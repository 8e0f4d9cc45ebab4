/**
 * Real child processes for the benchmark: the embedded engine (`esjobs engine start`) and
 * workers (`esjobs worker start`), run from source the way `pnpm esjobs` does. Peak RSS comes
 * from /proc (VmHWM), so it covers the whole life of the process.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const cliMain = fileURLToPath(new URL('../../packages/cli/src/main.ts', import.meta.url));
const engineRecorder = fileURLToPath(new URL('./engine-recorder.ts', import.meta.url));
export const benchJobs = fileURLToPath(new URL('../jobs.ts', import.meta.url));

export interface Child {
  readonly proc: ChildProcess;
  readonly pid: number;
  output(): string;
  /** Resolves with the first stdout/stderr match; rejects if the process exits first or on timeout. */
  waitFor(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray>;
  /** Peak resident set size in bytes (Linux), undefined elsewhere or after exit. */
  peakRss(): number | undefined;
  /** CPU time so far, all threads, and the main thread's wait for a CPU (Linux), undefined elsewhere or after exit. */
  cpu(): ProcessCpu | undefined;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves on exit. */
  stop(graceMs?: number): Promise<void>;
}

/** From /proc/<pid>/task/<tid>/schedstat (nanoseconds, exact unlike the tick counts of /proc/<pid>/stat). */
export interface ProcessCpu {
  /** Time on a CPU, summed over the process's threads (GC and compiler threads included). */
  readonly runNs: number;
  /** Time the main thread was runnable but waiting for a CPU (another process had it). */
  readonly mainWaitNs: number;
}

export function processCpu(pid: number): ProcessCpu | undefined {
  try {
    let runNs = 0;
    let mainWaitNs = 0;
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const [run, wait] = readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ').map(Number);
      runNs += run ?? 0;
      if (tid === String(pid)) mainWaitNs = wait ?? 0;
    }
    return { runNs, mainWaitNs };
  } catch {
    return undefined;
  }
}

export function spawnCli(args: readonly string[], env: Readonly<Record<string, string>> = {}, role?: 'engine' | 'worker'): Child {
  // ESJOBS_BENCH_NODE_ARGS: extra node flags for the children, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`;
  // ESJOBS_BENCH_ENGINE_NODE_ARGS / ESJOBS_BENCH_WORKER_NODE_ARGS: for the engine or the workers only.
  const own = role === undefined ? undefined : process.env[role === 'engine' ? 'ESJOBS_BENCH_ENGINE_NODE_ARGS' : 'ESJOBS_BENCH_WORKER_NODE_ARGS'];
  const nodeArgs = `${process.env['ESJOBS_BENCH_NODE_ARGS'] ?? ''} ${own ?? ''}`.split(' ').filter((a) => a !== '');
  // ESJOBS_BENCH_ENGINE_RECORD=<file>: the engine writes every request it handles there (see engine-replay.ts).
  const record = role === 'engine' && process.env['ESJOBS_BENCH_ENGINE_RECORD'] ? ['--import', engineRecorder] : [];
  const proc = spawn(process.execPath, [...nodeArgs, '--conditions=@esjobs/source', '--import', 'tsx', ...record, cliMain, ...args], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const pid = proc.pid;
  if (pid === undefined) throw new Error(`could not spawn esjobs ${args.join(' ')}`);
  let out = '';
  const listeners = new Set<() => void>();
  const onData = (d: string): void => {
    // Keep the tail only: worker logs can be long.
    out = (out + d).slice(-20_000);
    for (const l of listeners) l();
  };
  proc.stdout?.setEncoding('utf8').on('data', onData);
  proc.stderr?.setEncoding('utf8').on('data', onData);
  let exited = false;
  const exit = new Promise<void>((resolve) => {
    proc.once('exit', () => {
      exited = true;
      for (const l of listeners) l();
      resolve();
    });
  });
  const killOnExit = (): void => {
    proc.kill('SIGKILL');
  };
  process.once('exit', killOnExit);
  return {
    proc,
    pid,
    output: () => out,
    waitFor(pattern, timeoutMs) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          const m = pattern.exec(out);
          if (m !== null) done(() => resolve(m));
          else if (exited) done(() => reject(new Error(`esjobs ${args.slice(0, 2).join(' ')} exited before printing ${pattern}:\n${out}`)));
        };
        const timer = setTimeout(() => done(() => reject(new Error(`esjobs ${args.slice(0, 2).join(' ')}: no ${pattern} within ${timeoutMs} ms:\n${out}`))), timeoutMs);
        const done = (f: () => void): void => {
          clearTimeout(timer);
          listeners.delete(check);
          f();
        };
        listeners.add(check);
        check();
      });
    },
    peakRss() {
      if (exited) return undefined;
      try {
        const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
        return m?.[1] === undefined ? undefined : Number(m[1]) * 1024;
      } catch {
        return undefined;
      }
    },
    cpu() {
      return exited ? undefined : processCpu(pid);
    },
    async stop(graceMs = 15_000) {
      if (exited) return;
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
      await exit;
      clearTimeout(timer);
      process.off('exit', killOnExit);
    },
  };
}

/** Starts `esjobs engine start` on a free port; resolves with its URL. */
export async function spawnEngine(profile: 'none' | 'realistic'): Promise<{ child: Child; url: string }> {
  const child = spawnCli(['engine', 'start', '--port', '0', '--profile', profile], {}, 'engine');
  const m = await child.waitFor(/listening on (http:\/\/\S+)/, 60_000);
  const url = m[1];
  if (url === undefined) throw new Error('engine printed no URL');
  return { child, url };
}

export interface WorkerProcessOptions {
  readonly url: string;
  readonly prefix: string;
  readonly queue: string;
  readonly concurrency: number;
}

/** Starts one `esjobs worker start` process running bench/jobs.ts; resolves once it is ready. */
export async function spawnWorker(o: WorkerProcessOptions): Promise<Child> {
  const child = spawnCli(
    ['worker', 'start', '--jobs', benchJobs, '--es', o.url, '--prefix', o.prefix, '--queues', o.queue, '--concurrency', String(o.concurrency), '--log-format', 'json'],
    { ESJOBS_ES_URL: '' },
    'worker',
  );
  await child.waitFor(/worker ready/, 120_000);
  return child;
}
