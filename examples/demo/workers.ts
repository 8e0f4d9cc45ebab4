/**
 * The demo's worker processes: real `esjobs worker start` processes running
 * examples/quickstart/jobs.ts. Each gets its own process group so a Ctrl-C in the terminal
 * reaches only the demo, which then stops them with one SIGTERM each (graceful shutdown: a
 * second signal would make a worker exit at once). Their logs go to files in the data dir.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const cliMain = fileURLToPath(new URL('../../packages/cli/src/main.ts', import.meta.url));
const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const quickstartJobs = fileURLToPath(new URL('../quickstart/jobs.ts', import.meta.url));

export interface WorkerProcess {
  readonly pid: number;
  readonly logFile: string;
  readonly ready: Promise<void>;
  readonly exited: Promise<number | null>;
  stop(graceMs: number): Promise<number | null>;
}

export function startWorkerProcess(i: number, url: string, prefix: string, concurrency: number, logDir: string): WorkerProcess {
  const logFile = join(logDir, `worker-${i}.log`);
  const log = createWriteStream(logFile, { flags: 'a' });
  const proc: ChildProcess = spawn(
    process.execPath,
    ['--conditions=@esjobs/source', '--import', 'tsx', cliMain, 'worker', 'start', '--jobs', quickstartJobs, '--es', url, '--prefix', prefix, '--queues', 'default,emails', '--concurrency', String(concurrency), '--lease', '10s', '--log-format', 'json'],
    { cwd: repoRoot, env: { ...process.env, ESJOBS_ES_URL: '' }, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  const pid = proc.pid;
  if (pid === undefined) throw new Error('could not start a worker process');
  let seen = '';
  let markReady: () => void = () => undefined;
  let fail: (err: Error) => void = () => undefined;
  const ready = new Promise<void>((resolve, reject) => {
    markReady = resolve;
    fail = reject;
  });
  const onData = (chunk: Buffer): void => {
    log.write(chunk);
    if (seen !== 'ready') {
      seen += chunk.toString('utf8');
      if (seen.includes('worker ready')) {
        seen = 'ready';
        markReady();
      }
    }
  };
  proc.stdout?.on('data', onData);
  proc.stderr?.on('data', onData);
  const exited = new Promise<number | null>((resolve) =>
    proc.once('exit', (code) => {
      fail(new Error(`worker ${i} exited (code ${String(code)}) before it was ready; see ${logFile}`));
      log.end();
      resolve(code);
    }),
  );
  // Never leave a worker behind, even when the demo dies.
  const kill = (): void => {
    proc.kill('SIGKILL');
  };
  process.once('exit', kill);
  return {
    pid,
    logFile,
    ready,
    exited,
    async stop(graceMs) {
      if (proc.exitCode !== null || proc.signalCode !== null) return proc.exitCode;
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
      const code = await exited;
      clearTimeout(timer);
      process.off('exit', kill);
      return code;
    },
  };
}
