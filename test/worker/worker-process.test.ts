/**
 * `esjobs worker start` as real processes against an embedded engine over HTTP. The fixture jobs
 * (fixtures/jobs.ts) record every run in files, so duplicates and overlaps are counted from what
 * actually ran, not from what the store says.
 */
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@elastic/elasticsearch';
import { type BackendContext, JobStore, bootstrap, createBackendContext } from '@esjobs/core';
import { type StartedEngine, startEngine } from '@esjobs/embedded';
import { RecordDir, type SpawnedWorker, maxOverlap, spawnCli, workerArgs } from './proc-support.js';
import { eventually, sleep, uniquePrefix } from './support.js';

describe('esjobs worker start (processes, engine over HTTP)', function () {
  this.timeout(240_000);
  let eng: StartedEngine;
  let client: Client;
  let ctx: BackendContext;
  let store: JobStore;
  let prefix: string;
  let rec: RecordDir;
  let procs: SpawnedWorker[] = [];
  let dataDir: string | undefined;

  async function open(options: { dataDir?: string; port?: number } = {}): Promise<void> {
    eng = await startEngine({ port: options.port ?? 0, defaultRefreshIntervalMs: 200, ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }) });
  }

  function spawnWorker(extra: readonly string[] = []): SpawnedWorker {
    const w = spawnCli(workerArgs(eng.url, prefix, extra), { ESJOBS_TEST_RECORD_DIR: rec.path });
    procs.push(w);
    return w;
  }

  async function countState(state: string): Promise<number> {
    await client.indices.refresh({ index: `${prefix}-jobs` });
    const r = await client.count({ index: `${prefix}-jobs`, query: { term: { state } } });
    return r.count;
  }

  beforeEach(async () => {
    await open();
    prefix = uniquePrefix('proc');
    client = new Client({ node: eng.url });
    ctx = createBackendContext({ client, prefix });
    await bootstrap(ctx);
    store = new JobStore(ctx);
    rec = new RecordDir();
  });

  afterEach(async () => {
    for (const p of procs) if (p.proc.exitCode === null) p.proc.kill('SIGKILL');
    await Promise.all(procs.map((p) => p.exited));
    procs = [];
    await store.close();
    await client.close();
    await eng.close();
    rec.remove();
    if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true });
    dataDir = undefined;
  });

  it('3 workers drain 3,000 jobs; after a SIGKILL only the killed worker’s in-flight jobs run again, after lease expiry', async () => {
    const n = 3000;
    for (let i = 0; i < n; i += 1000) {
      const out = await store.enqueueMany(Array.from({ length: 1000 }, () => ({ name: 'work', payload: { ms: 40 } })));
      expect(out.every((o) => o.status === 'created')).to.equal(true);
    }
    // A 5 s lease: a 2 s one can expire on a starved (not killed) worker when the machine is loaded.
    const ws = [0, 1, 2].map(() => spawnWorker(['--concurrency', '20', '--lease', '5s']));
    await Promise.all(ws.map((w) => w.waitForLine(/worker ready/)));
    const victim = ws[0];
    if (victim?.proc.pid === undefined) throw new Error('no victim process');
    const victimPid = victim.proc.pid;
    await eventually('a third of the jobs done', () => (rec.read().filter((r) => r.event === 'done').length >= n / 3 ? true : undefined), 60_000, 20);
    // Kill it while it is running jobs (run recorded, done not yet).
    await eventually('the victim busy', () => {
      const mine = rec.read().filter((r) => r.pid === victimPid);
      const done = new Set(mine.filter((r) => r.event === 'done').map((r) => r.id));
      return mine.some((r) => r.event === 'run' && !done.has(r.id)) ? true : undefined;
    }, 30_000, 2);
    victim.proc.kill('SIGKILL');
    const killedAt = Date.now();
    await victim.exited;
    await eventually('every job completed', async () => ((await countState('completed')) === n ? true : undefined), 60_000, 250);
    const records = rec.read();
    const runs = rec.runs();
    expect(runs.size).to.equal(n);
    const byVictim = new Set(records.filter((r) => r.pid === victimPid && r.event === 'run').map((r) => r.id));
    const doneByVictim = new Set(records.filter((r) => r.pid === victimPid && r.event === 'done').map((r) => r.id));
    const twice = [...runs].filter(([, c]) => c > 1).map(([id]) => id);
    // Nothing else runs twice: every duplicate was in flight on the killed worker ...
    for (const id of twice) expect(byVictim.has(id), `job ${id} ran twice without the victim`).to.equal(true);
    expect(Math.max(...runs.values())).to.be.at.most(2);
    // ... and every job it was running when killed ran again, after its lease expired.
    const unfinished = [...byVictim].filter((id) => !doneByVictim.has(id));
    expect(unfinished.length).to.be.greaterThan(0);
    for (const id of unfinished) expect(runs.get(id), `in-flight job ${id}`).to.equal(2);
    const reruns = records.filter((r) => r.event === 'run' && r.pid !== victimPid && byVictim.has(r.id) && twice.includes(r.id));
    for (const r of reruns) expect(r.time - killedAt, `rerun of ${r.id} before the lease could expire`).to.be.greaterThan(3_000);
    // Bounded by the victim's slots plus completions still in its write buffer.
    expect(twice.length).to.be.at.most(40);
    console.log(`      SIGKILL drain: ${n} jobs, ${twice.length} re-run after the kill (victim ran ${byVictim.size})`);
  });

  it('SIGTERM while busy: short jobs finish, long ones are released at once (no attempt counted), exit 0', async () => {
    const short = await store.enqueueMany(Array.from({ length: 4 }, () => ({ name: 'work', payload: { ms: 200 } })));
    const long = await store.enqueueMany(Array.from({ length: 4 }, () => ({ name: 'work', payload: { ms: 60_000 } })));
    const w = spawnWorker(['--concurrency', '10', '--shutdown-timeout', '1s']);
    await w.waitForLine(/worker ready/);
    await eventually('8 running', () => (rec.read().filter((r) => r.event === 'run').length === 8 ? true : undefined), 10_000);
    const t0 = Date.now();
    w.proc.kill('SIGTERM');
    expect(await w.exited).to.equal(0);
    expect(Date.now() - t0).to.be.lessThan(6_000);
    for (const s of short) if (s.status !== 'error') expect((await store.getJob(s.job.id))?.doc.state).to.equal('completed');
    for (const l of long) {
      if (l.status === 'error') throw l.error;
      const doc = (await store.getJob(l.job.id))?.doc;
      expect(doc?.state).to.equal('queued');
      expect(doc?.attempt).to.equal(0);
      expect(doc?.lease).to.equal(null);
    }
    const log = w.lines.join('\n');
    expect(log).to.match(/shutting down gracefully/);
    expect(log).to.match(/aborting running jobs and releasing them/);
    expect(log).to.match(/shutdown complete/);
    const summary = w.lines.find((l) => l.includes('shutdown complete')) ?? '';
    expect(summary).to.match(/"completed":\d+/);
    expect(summary).to.match(/"cpuMs":\d+/);
    // Some job completed before the shutdown, so at least one settle bulk was sent.
    expect(Number(/"settleRequests":(\d+)/.exec(summary)?.[1] ?? 0)).to.be.at.least(1);
  });

  it('timeouts, retries with backoff, UnrecoverableError, dead-lettering, and cancellation from another process', async () => {
    const hang = await store.enqueue('hang', null, { attempts: 2, backoff: 0 });
    const flaky = await store.enqueue('flaky', { succeedOn: 3 }, { attempts: 3, backoff: { type: 'fixed', delay: 100 } });
    const fatal = await store.enqueue('fatal', null, { attempts: 5 });
    const doomed = await store.enqueue('flaky', { succeedOn: 99 }, { attempts: 2, backoff: 0 });
    const cancelMe = await store.enqueue('wait-cancel', null);
    const w = spawnWorker(['--concurrency', '3', '--lease', '1500ms', '--log-level', 'debug']);
    await w.waitForLine(/worker ready/);
    await eventually('wait-cancel running', () => (rec.read().some((r) => r.id === cancelMe.job.id) ? true : undefined), 10_000);
    expect((await store.cancel(cancelMe.job.id)).status).to.equal('requested');
    const final = async (id: string, want: string): Promise<void> => {
      await eventually(`${id} ${want}`, async () => {
        const j = await store.getJob(id);
        const state = j?.location === 'dead' ? 'dead' : j?.doc.state;
        return state === want ? true : undefined;
      }, 20_000, 50);
    };
    try {
      await final(cancelMe.job.id, 'failed');
    } catch (err) {
      console.log(w.lines.slice(-40).join('\n'), w.stderr.join(''));
      throw err;
    }
    await final(hang.job.id, 'dead');
    await final(flaky.job.id, 'completed');
    await final(fatal.job.id, 'failed');
    await final(doomed.job.id, 'dead');
    const runs = rec.runs();
    expect(runs.get(hang.job.id)).to.equal(2);
    expect(runs.get(flaky.job.id)).to.equal(3);
    expect(runs.get(fatal.job.id)).to.equal(1);
    expect(runs.get(doomed.job.id)).to.equal(2);
    expect(rec.read().some((r) => r.id === cancelMe.job.id && r.event === 'aborted:JobCancelledError')).to.equal(true);
    expect((await store.getJob(hang.job.id))?.doc.errors.map((e) => e.kind)).to.deep.equal(['timeout', 'timeout']);
    expect((await store.getJob(doomed.job.id))?.doc.errors.map((e) => e.message)).to.deep.equal(['flaky failure on attempt 1', 'flaky failure on attempt 2']);
    expect((await store.getJob(fatal.job.id))?.doc.errors[0]?.kind).to.equal('unrecoverable');
    w.proc.kill('SIGTERM');
    expect(await w.exited).to.equal(0);
    // Each outcome is logged at debug level.
    expect(w.lines.some((l) => l.includes('job completed') && l.includes(flaky.job.id))).to.equal(true);
    expect(w.lines.some((l) => l.includes('dead-lettered') && l.includes(doomed.job.id))).to.equal(true);
  });

  it('never exceeds a cluster-wide queue limit with 3 racing worker processes', async () => {
    await store.enqueueMany(Array.from({ length: 90 }, () => ({ name: 'limited', payload: null, options: { queue: 'lim' } })));
    const ws = [0, 1, 2].map(() => spawnWorker(['--queues', 'lim', '--concurrency', '5', '--queue-limit', 'lim=2']));
    await Promise.all(ws.map((w) => w.waitForLine(/worker ready/)));
    await eventually('90 done', () => (rec.read().filter((r) => r.event === 'end').length >= 90 ? true : undefined), 60_000, 50);
    const records = rec.read();
    const overlap = maxOverlap(records);
    expect(overlap).to.be.at.most(2);
    expect(overlap).to.equal(2);
    expect(new Set(records.map((r) => r.pid)).size, 'several workers took part').to.be.greaterThan(1);
    // A handler's end is recorded before its complete write lands (buffered into a bulk).
    await eventually('90 completed', async () => ((await countState('completed')) === 90 ? true : undefined), 10_000, 50);
    expect(await countState('completed')).to.equal(90);
  });

  it('survives an engine restart and injected 429s without losing a job', async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'esjobs-worker-restart-'));
    const port = eng.port;
    await store.close();
    await client.close();
    await eng.close();
    await open({ dataDir, port });
    client = new Client({ node: eng.url });
    ctx = createBackendContext({ client, prefix });
    await bootstrap(ctx);
    store = new JobStore(ctx);
    const n = 600;
    await store.enqueueMany(Array.from({ length: n }, () => ({ name: 'work', payload: { ms: 5 } })));
    const w = spawnWorker(['--concurrency', '10', '--lease', '3s']);
    await w.waitForLine(/worker ready/);
    await eventually('150 done', () => (rec.read().filter((r) => r.event === 'done').length >= 150 ? true : undefined), 30_000, 10);
    await eng.close();
    await sleep(1_500);
    await open({ dataDir, port });
    eng.faults.set({ byKind: { bulk: { rejectProbability: 0.2 }, search: { rejectProbability: 0.2 } } });
    await sleep(1_500);
    eng.faults.clear();
    await eventually(`all ${n} completed`, async () => ((await countState('completed')) === n ? true : undefined), 60_000, 250);
    const runs = rec.runs();
    expect(runs.size).to.equal(n);
    expect(w.proc.exitCode).to.equal(null);
    w.proc.kill('SIGTERM');
    expect(await w.exited).to.equal(0);
    const twice = [...runs.values()].filter((c) => c > 1).length;
    console.log(`      engine restart: ${n} jobs, ${twice} ran twice (writes lost with the connection)`);
  });
});

describe('esjobs worker start: refusing to start', function () {
  this.timeout(120_000);
  const fixtureDir = fileURLToPath(new URL('./fixtures/', import.meta.url));

  it('exits non-zero with a clear message for a missing cluster, bad flags, a bad jobs module, an unreachable cluster', async () => {
    const run = async (args: string[]): Promise<{ code: number; err: string }> => {
      const p = spawnCli(['worker', 'start', ...args]);
      const code = await p.exited;
      return { code, err: p.stderr.join('') };
    };
    const [noEs, badFlag, badModule, unreachable] = await Promise.all([
      run(['--jobs', join(fixtureDir, 'jobs.ts')]),
      run(['--jobs', join(fixtureDir, 'jobs.ts'), '--es', 'http://127.0.0.1:9', '--concurrency', '0']),
      run(['--jobs', join(fixtureDir, 'bad-jobs.ts'), '--es', 'http://127.0.0.1:9']),
      run(['--jobs', join(fixtureDir, 'jobs.ts'), '--es', 'http://127.0.0.1:9']),
    ]);
    expect(noEs.code).to.equal(2);
    expect(noEs.err).to.match(/ESJOBS_ES_URL/).and.match(/esjobs engine start/);
    expect(badFlag.code).to.equal(2);
    expect(badFlag.err).to.match(/--concurrency/);
    expect(badModule.code).to.equal(3);
    expect(badModule.err).to.match(/exports no job definitions/);
    expect(unreachable.code).to.equal(4);
    expect(unreachable.err).to.match(/unreachable at http:\/\/127\.0\.0\.1:9/);
  });
});
