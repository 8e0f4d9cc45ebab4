/**
 * Process-level test support: spawn `esjobs worker start` from source, collect its log lines,
 * wait for a line, and read the execution records the fixture jobs write.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const mainTs = join(root, 'packages/cli/src/main.ts');

export const fixtureJobs = join(root, 'test/worker/fixtures/jobs.ts');

export interface SpawnedWorker {
  readonly proc: ChildProcess;
  readonly lines: string[];
  readonly stderr: string[];
  /** Resolves with the exit code (or 128 + signal number semantics: null code → -1). */
  readonly exited: Promise<number>;
  waitForLine(re: RegExp, timeoutMs?: number): Promise<string>;
}

export function spawnCli(args: readonly string[], env: Readonly<Record<string, string>> = {}): SpawnedWorker {
  const entry = mainTs;
  const proc = spawn(process.execPath, ['--conditions=@esjobs/source', '--import', 'tsx', entry, ...args], {
    cwd: root,
    env: { ...process.env, ESJOBS_ES_URL: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const stderr: string[] = [];
  const waiters: { re: RegExp; resolve: (l: string) => void }[] = [];
  let buf = '';
  proc.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    buf += chunk;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      lines.push(line);
      for (const w of [...waiters]) {
        if (w.re.test(line)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(line);
        }
      }
    }
  });
  proc.stderr?.setEncoding('utf8').on('data', (chunk: string) => stderr.push(chunk));
  const exited = new Promise<number>((res) => proc.on('exit', (code) => res(code ?? -1)));
  return {
    proc,
    lines,
    stderr,
    exited,
    waitForLine: (re, timeoutMs = 90_000) => {
      const hit = lines.find((l) => re.test(l));
      if (hit !== undefined) return Promise.resolve(hit);
      return new Promise((res, rej) => {
        const timer = setTimeout(() => rej(new Error(`no line matching ${re} within ${timeoutMs} ms; stdout:\n${lines.slice(-20).join('\n')}\nstderr:\n${stderr.join('')}`)), timeoutMs);
        waiters.push({
          re,
          resolve: (l) => {
            clearTimeout(timer);
            res(l);
          },
        });
      });
    },
  };
}

export function workerArgs(url: string, prefix: string, extra: readonly string[] = []): string[] {
  return ['worker', 'start', '--jobs', fixtureJobs, '--es', url, '--prefix', prefix, '--log-format', 'json', ...extra];
}

export interface RecordLine {
  readonly event: string;
  readonly id: string;
  readonly attempt: number;
  readonly time: number;
  readonly pid: number;
}

export class RecordDir {
  readonly path = mkdtempSync(join(tmpdir(), 'esjobs-worker-test-'));

  read(): RecordLine[] {
    const out: RecordLine[] = [];
    for (const f of readdirSync(this.path)) {
      const pid = Number(f.replace(/\.log$/, ''));
      for (const line of readFileSync(join(this.path, f), 'utf8').split('\n')) {
        const [event, id, attempt, time] = line.split(' ');
        if (event === undefined || id === undefined || attempt === undefined || time === undefined) continue;
        out.push({ event, id, attempt: Number(attempt), time: Number(time), pid });
      }
    }
    return out;
  }

  /** Number of `run` records per job id. */
  runs(): Map<string, number> {
    const m = new Map<string, number>();
    for (const r of this.read()) if (r.event === 'run') m.set(r.id, (m.get(r.id) ?? 0) + 1);
    return m;
  }

  remove(): void {
    rmSync(this.path, { recursive: true, force: true });
  }
}

/** Largest number of start..end intervals overlapping at any time. */
export function maxOverlap(records: readonly RecordLine[]): number {
  const points: [number, number][] = [];
  const starts = new Map<string, number>();
  for (const r of records) {
    const key = `${r.id}/${r.attempt}/${r.pid}`;
    if (r.event === 'start') starts.set(key, r.time);
    if (r.event === 'end') {
      const s = starts.get(key);
      if (s !== undefined) points.push([s, 1], [r.time, -1]);
    }
  }
  points.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let cur = 0;
  let max = 0;
  for (const [, d] of points) {
    cur += d;
    max = Math.max(max, cur);
  }
  return max;
}
