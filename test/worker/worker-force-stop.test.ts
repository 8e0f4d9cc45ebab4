/**
 * A second SIGTERM to a busy `esjobs worker start` process: running jobs are aborted and released
 * at once (back in `queued`, no attempt counted, no lease to wait for), and the process exits 143
 * (130 for SIGINT) right after; if releasing hangs, it still exits within the ~2 s grace.
 */
import { expect } from 'chai';
import { Client } from '@elastic/elasticsearch';
import { type BackendContext, JobStore, bootstrap, createBackendContext } from '@esjobs/core';
import { type StartedEngine, startEngine } from '@esjobs/embedded';
import { RecordDir, type SpawnedWorker, spawnCli, workerArgs } from './proc-support.js';
import { eventually, uniquePrefix } from './support.js';

describe('esjobs worker start: a second signal forces the stop', function () {
  this.timeout(120_000);
  let eng: StartedEngine;
  let client: Client;
  let ctx: BackendContext;
  let store: JobStore;
  let prefix: string;
  let rec: RecordDir;
  let procs: SpawnedWorker[] = [];

  beforeEach(async () => {
    eng = await startEngine({ port: 0, defaultRefreshIntervalMs: 200 });
    prefix = uniquePrefix('force');
    client = new Client({ node: eng.url });
    ctx = createBackendContext({ client, prefix });
    await bootstrap(ctx);
    store = new JobStore(ctx);
    rec = new RecordDir();
  });

  afterEach(async () => {
    eng.faults.clear();
    for (const p of procs) if (p.proc.exitCode === null) p.proc.kill('SIGKILL');
    await Promise.all(procs.map((p) => p.exited));
    procs = [];
    await store.close();
    await client.close();
    await eng.close();
    rec.remove();
  });

  async function busyWorker(n: number): Promise<{ w: SpawnedWorker; ids: string[] }> {
    const out = await store.enqueueMany(Array.from({ length: n }, () => ({ name: 'work', payload: { ms: 60_000 } })));
    const ids = out.map((o) => {
      if (o.status === 'error') throw o.error;
      return o.job.id;
    });
    // A long lease and shutdown timeout: only the forced path can give the jobs back in time.
    const w = spawnCli(workerArgs(eng.url, prefix, ['--concurrency', '10', '--lease', '60s', '--shutdown-timeout', '60s']), { ESJOBS_TEST_RECORD_DIR: rec.path });
    procs.push(w);
    await w.waitForLine(/worker ready/);
    await eventually(`${n} running`, () => (rec.read().filter((r) => r.event === 'run').length === n ? true : undefined), 20_000);
    return { w, ids };
  }

  it('aborts and releases running jobs at once and exits 143', async () => {
    const { w, ids } = await busyWorker(4);
    w.proc.kill('SIGTERM');
    await w.waitForLine(/shutting down gracefully/, 10_000);
    const t0 = Date.now();
    w.proc.kill('SIGTERM');
    const code = await w.exited;
    const exitMs = Date.now() - t0;
    expect(code).to.equal(143);
    expect(exitMs).to.be.lessThan(3_000);
    for (const id of ids) {
      const doc = (await store.getJob(id))?.doc;
      expect(doc?.state, id).to.equal('queued');
      expect(doc?.attempt, id).to.equal(0);
      expect(doc?.lease, id).to.equal(null);
    }
    const log = w.lines.join('\n');
    expect(log).to.match(/second signal: aborting running jobs and releasing them now/);
    expect(log).to.match(/job released for another worker/);
    expect(rec.read().filter((r) => r.event === 'done')).to.have.length(0);
    console.log(`      forced stop: 4 jobs released, exit 143 after ${exitMs} ms`);
  });

  it('exits within the grace even when releasing hangs (jobs then come back at lease expiry)', async () => {
    const { w, ids } = await busyWorker(2);
    w.proc.kill('SIGTERM');
    await w.waitForLine(/shutting down gracefully/, 10_000);
    // Every bulk (the release) now hangs far longer than the grace.
    eng.faults.setRule('bulk', { latencyMs: 30_000 });
    const t0 = Date.now();
    w.proc.kill('SIGTERM');
    const code = await w.exited;
    const exitMs = Date.now() - t0;
    expect(code).to.equal(143);
    expect(exitMs).to.be.at.least(1_500);
    expect(exitMs).to.be.lessThan(4_000);
    eng.faults.clear();
    // Not released (the write never landed): still active under the dead process's lease, not lost.
    for (const id of ids) expect((await store.getJob(id))?.doc.state, id).to.equal('active');
    console.log(`      forced stop with a hanging release: exit 143 after ${exitMs} ms`);
  });
});
