/**
 * `pnpm demo --once` end to end: embedded engine with a data dir, scheduler, two real worker
 * processes; it must exit 0 only when every expected outcome happened, and report each one.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';

const root = fileURLToPath(new URL('..', import.meta.url));

function runDemo(args: readonly string[], timeoutMs: number): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--conditions=@esjobs/source', '--import', 'tsx', 'examples/demo/main.ts', ...args], {
      cwd: root,
      env: { ...process.env, CI: 'true', ESJOBS_ES_URL: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`demo did not finish within ${timeoutMs} ms:\n${out}`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

describe('pnpm demo --once', function () {
  this.timeout(120_000);

  it('runs every part and exits 0 after all expected outcomes', async () => {
    const { code, out } = await runDemo(['--jobs', '200'], 110_000);
    expect(out, out).to.match(/2 worker processes ready/);
    for (const line of [
      'bulk resize-image jobs completed: 200/200',
      'prioritized emails (5 at priority 10) completed: 20/20',
      'delayed jobs started after their runAt (+3 s): 10/10',
      'flaky charges completed on their 3rd attempt: 5/5',
      'always-failing jobs dead-lettered: 3/3',
      'recurring report fires completed (at least 2): 2/2',
    ]) {
      expect(out, out).to.include(`ok      ${line}`);
    }
    expect(out).to.include('all expected outcomes happened.');
    expect(code, out).to.equal(0);
    // The temp data dir is removed after a --once run.
    const dir = /data dir (\S+)\)/.exec(out)?.[1];
    expect(dir, out).to.be.a('string');
    expect(existsSync(dir ?? '')).to.equal(false);
  });

  it('rejects bad flags with exit 2, naming the flag', async () => {
    const { code, out } = await runDemo(['--workers', '0'], 30_000);
    expect(code).to.equal(2);
    expect(out).to.include('--workers must be an integer from 1 to 16, got 0');
  });
});
