import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';

const fixture = fileURLToPath(new URL('./store-exit-fixture.ts', import.meta.url));

describe('store: lifecycle', () => {
  it('a process exits right after close(), with refresh timers armed, wait_for pending and an HTTP server used', async function () {
    this.timeout(60_000);
    const out = await new Promise<string>((resolve, reject) => {
      execFile(process.execPath, ['--conditions=@esjobs/source', '--import', 'tsx', fixture], { timeout: 50_000 }, (err, stdout, stderr) => {
        if (err) reject(new Error(`${err.message}\n${stderr}`));
        else resolve(stdout);
      });
    });
    const report = JSON.parse(out.trim().split('\n').pop() ?? '{}') as { waitForStatus?: number; exitAfterCloseMs?: number };
    // close releases `wait_for` writers (the write itself was applied)
    expect(report.waitForStatus).to.equal(201);
    // An armed 30 s refresh timer or a lingering socket would keep the process for 30 s; the bound
    // leaves room for a loaded machine (a scheduler hiccup), not for a leak.
    expect(report.exitAfterCloseMs).to.be.a('number').and.below(3_000);
  });
});
