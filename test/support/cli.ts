import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { track } from './leaks.js';

/** Repository root (test/support → ../..). */
export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const cliMain = fileURLToPath(new URL('../../packages/cli/src/main.ts', import.meta.url));

export interface CliProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  stdout(): string;
  stderr(): string;
  /** Resolves with the first match of `pattern` in stdout (or stderr); rejects on exit or timeout. */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Resolves when the process exits. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal?: NodeJS.Signals): void;
}

export interface SpawnCliOptions {
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd?: string;
}

/**
 * Runs `esjobs ...args` from source (`node --conditions=@esjobs/source --import tsx
 * packages/cli/src/main.ts`), capturing output. The process is registered with the leak tracker
 * and SIGKILLed at the end of the test if still running, and when this process exits.
 */
export function spawnCli(args: readonly string[], options: SpawnCliOptions = {}): CliProcess {
  const child = spawn(process.execPath, ['--conditions=@esjobs/source', '--import', 'tsx', cliMain, ...args], {
    cwd: options.cwd ?? repoRoot,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const listeners = new Set<() => void>();
  child.stdout?.setEncoding('utf8').on('data', (d: string) => {
    out += d;
    for (const l of listeners) l();
  });
  child.stderr?.setEncoding('utf8').on('data', (d: string) => {
    err += d;
    for (const l of listeners) l();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      for (const l of listeners) l();
      resolve({ code, signal });
    });
  });
  const killOnExit = (): void => {
    child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);
  const untrack = track({
    label: `esjobs ${args.join(' ')} (pid ${child.pid ?? '?'})`,
    async close() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await exited;
      }
    },
  });
  void exited.then(() => {
    untrack();
    process.off('exit', killOnExit);
  });

  return {
    child,
    pid: child.pid ?? -1,
    stdout: () => out,
    stderr: () => err,
    exited,
    kill: (signal = 'SIGTERM') => {
      child.kill(signal);
    },
    waitForOutput(pattern, timeoutMs = 45_000) {
      return new Promise<RegExpMatchArray>((resolve, reject) => {
        const check = (): void => {
          const m = pattern.exec(out) ?? pattern.exec(err);
          if (m) {
            done();
            resolve(m);
          } else if (child.exitCode !== null || child.signalCode !== null) {
            done();
            reject(new Error(`esjobs exited (${child.exitCode ?? child.signalCode}) before printing ${pattern}\nstdout: ${out}\nstderr: ${err}`));
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`timed out after ${timeoutMs} ms waiting for ${pattern}\nstdout: ${out}\nstderr: ${err}`));
        }, timeoutMs);
        const done = (): void => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        listeners.add(check);
        check();
      });
    },
  };
}

/** Starts `esjobs engine start --port 0 ...args` and waits for its URL. */
export async function spawnEngine(args: readonly string[] = [], options: SpawnCliOptions = {}): Promise<{ proc: CliProcess; url: string }> {
  const proc = spawnCli(['engine', 'start', '--port', '0', ...args], options);
  const m = await proc.waitForOutput(/listening on (http:\/\/\S+)/);
  return { proc, url: m[1] ?? '' };
}
