/**
 * Three `esjobs scheduler start` processes against one embedded engine over HTTP, one schedule
 * firing every second for ~20 s: every fire is enqueued exactly once (by id and by fire time),
 * none is missed, and the fire lateness (enqueuedAt - fireTime) is reported.
 */
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { Client } from '@elastic/elasticsearch';
import { type JobDocument } from '@esjobs/core';
import { type StartedEngine, startEngine } from '@esjobs/embedded';
import { type CliProcess, spawnCli } from '../support/cli.js';
import { percentile, uniquePrefix } from './support.js';

describe('scheduler start: three processes, one per-second schedule', function () {
  this.timeout(120_000);
  let engine: StartedEngine;
  let client: Client;
  let dir: string;
  const procs: CliProcess[] = [];

  before(async () => {
    engine = await startEngine({ port: 0 });
    client = new Client({ node: engine.url });
    dir = mkdtempSync(join(tmpdir(), 'esjobs-sched-'));
  });
  after(async () => {
    for (const p of procs) p.kill('SIGKILL');
    await client.close();
    await engine.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('enqueues every fire exactly once for 20 s', async () => {
    const prefix = uniquePrefix('three');
    const file = join(dir, 'schedules.json');
    writeFileSync(file, JSON.stringify([{ name: 'every-second', cron: '* * * * * *', job: 'tick', payload: { source: 'file' } }]));
    const args = ['scheduler', 'start', '--es', engine.url, '--prefix', prefix, '--schedules', file];
    for (let i = 0; i < 3; i++) procs.push(spawnCli(args));
    await Promise.all(procs.map((p) => p.waitForOutput(/scheduler started/, 60_000)));
    const startedAt = Date.now();
    await new Promise((r) => setTimeout(r, 20_000));
    for (const p of procs) p.kill('SIGTERM');
    const exits = await Promise.all(procs.map((p) => p.exited));
    const stoppedAt = Date.now();
    expect(exits.map((e) => e.code)).to.deep.equal([0, 0, 0]);

    await client.indices.refresh({ index: `${prefix}-jobs` });
    const res = await client.search<JobDocument>({ index: `${prefix}-jobs`, size: 10_000, query: { term: { scheduleName: 'every-second' } } });
    const docs = res.hits.hits.map((h) => ({ id: h._id ?? '', doc: h._source }));
    const fireTimes = docs.map((d) => d.doc?.fireTime ?? '');
    // Exactly once: one document per fire time, with the deterministic id.
    expect(new Set(fireTimes).size).to.equal(docs.length);
    for (const d of docs) expect(d.id).to.equal(`every-second:${d.doc?.fireTime ?? ''}`);
    // None missed: every whole second from the first fire to the last one is there.
    const times = fireTimes.map((t) => Date.parse(t)).sort((a, b) => a - b);
    const first = times[0] ?? 0;
    const last = times.at(-1) ?? 0;
    expect(times.length).to.equal((last - first) / 1000 + 1);
    expect(first).to.be.at.most(startedAt + 1000);
    expect(last).to.be.at.least(stoppedAt - 4000);
    expect(times.length).to.be.at.least(19);
    // Each process printed only the fires it created; together they account for each fire once.
    const printed = procs.map((p) => (p.stdout().match(/^fired /gm) ?? []).length);
    expect(printed.reduce((a, b) => a + b, 0)).to.equal(docs.length);
    const lateness = docs.map((d) => Date.parse(d.doc?.enqueuedAt ?? '') - Date.parse(d.doc?.fireTime ?? ''));
    const p50 = percentile(lateness, 50);
    const p99 = percentile(lateness, 99);
    console.log(`      fires: ${docs.length}, created per process: ${printed.join('/')}, fire lateness p50 ${p50} ms, p99 ${p99} ms, max ${Math.max(...lateness)} ms`);
    expect(p50).to.be.below(100);
  });
});
