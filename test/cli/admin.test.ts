/**
 * Every admin command against a populated engine (over HTTP), in table and JSON modes, plus
 * bad-input errors. Commands run in-process through runCli (same code path as the executable,
 * without paying a process start per command); exit codes: 0 ok, 1 failure, 2 bad input.
 */
import { expect } from 'chai';
import { Client } from '@elastic/elasticsearch';
import { EventBus, JobStore, LockManager, createBackendContext, createEsEventTransport, upsertWorker } from '@esjobs/core';
import { Scheduler } from '@esjobs/scheduler';
import { type StartedEngine, startEngine } from '@esjobs/embedded';
import { runCli } from '../../packages/cli/src/cli.js';
import { uniquePrefix } from '../scheduler/support.js';

interface Run {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

describe('admin CLI against a populated engine', function () {
  this.timeout(60_000);
  let engine: StartedEngine;
  let client: Client;
  let prefix: string;
  let deadId: string;
  let activeId: string;
  let queuedId: string;

  async function cli(...argv: string[]): Promise<Run> {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli([...argv, '--prefix', prefix], {
      stdout: (l) => out.push(l),
      stderr: (l) => err.push(l),
      env: { ESJOBS_ES_URL: engine.url },
      signal: new AbortController().signal,
    });
    return { code, out: out.join('\n'), err: err.join('\n') };
  }

  async function json(...argv: string[]): Promise<Record<string, unknown>> {
    const r = await cli(...argv, '--json');
    expect(r.code, r.err).to.equal(0);
    return JSON.parse(r.out) as Record<string, unknown>;
  }

  before(async () => {
    engine = await startEngine({ port: 0 });
    client = new Client({ node: engine.url });
    prefix = uniquePrefix('admin');
    const ctx = createBackendContext({ client, prefix });
    const scheduler = new Scheduler({ es: ctx });
    const store = new JobStore(ctx, { lease: '1m' });
    queuedId = (await scheduler.enqueue('mail', { to: 'a' }, { queue: 'emails', jobId: 'q-1' })).job.id;
    await scheduler.enqueue('mail', { to: 'b' }, { queue: 'emails', delay: '1h' });
    const doomed = await scheduler.enqueue('resize', { img: 1 }, { queue: 'images', attempts: 1 });
    deadId = doomed.job.id;
    const active = await scheduler.enqueue('resize', { img: 2 }, { queue: 'images' });
    activeId = active.job.id;
    const claimed = await store.claimByIds({ ids: [deadId, activeId], queues: ['images'], workerId: 'w-1' });
    const dying = claimed.jobs.find((j) => j.id === deadId);
    if (dying === undefined) throw new Error('not claimed');
    await store.fail(dying, new Error('disk quota exceeded'));
    await scheduler.schedule({ name: 'nightly', cron: '0 3 * * *', tz: 'Europe/Paris', job: 'report' });
    await new LockManager({ ctx, owner: 'admin-test' }).acquire('reports:nightly', { ttlMs: 600_000 });
    const now = new Date().toISOString();
    await upsertWorker(ctx, {
      workerId: 'w-1', host: 'h', pid: 42, queues: ['images'], jobNames: ['resize'], concurrency: 4, active: 1, state: 'running', startedAt: now, lastSeenAt: now, intervalMs: 10_000, version: '0.1.0',
    });
    const bus = new EventBus();
    const transport = createEsEventTransport({ ctx, bus, subscribe: false }).start();
    bus.emit('job:completed', { at: Date.now(), jobId: 'x', name: 'mail', queue: 'emails', attempt: 1, workerId: 'w-1', durationMs: 5 });
    bus.emit('job:completed', { at: Date.now(), jobId: 'y', name: 'resize', queue: 'images', attempt: 1, workerId: 'w-1', durationMs: 7 });
    await transport.close();
    await store.close();
    await scheduler.stop();
    await client.indices.refresh({ index: `${prefix}-*` });
  });

  after(async () => {
    await client.indices.delete({ index: `${prefix}-*` }).catch(() => undefined);
    await client.close();
    await engine.close();
  });

  it('stats: per queue counts and live workers', async () => {
    const t = await cli('stats');
    expect(t.code).to.equal(0);
    expect(t.out).to.match(/QUEUE\s+QUEUED\s+DELAYED\s+ACTIVE\s+COMPLETED\s+FAILED\s+DEAD/);
    expect(t.out).to.match(/emails\s+1\s+1\s+0\s+0\s+0\s+0/);
    expect(t.out).to.match(/images\s+0\s+0\s+1\s+0\s+0\s+1/);
    expect(t.out).to.match(/live workers: 1/);
    const j = await json('stats');
    expect(j['queues']).to.deep.equal([
      { queue: 'emails', queued: 1, delayed: 1, active: 0, completed: 0, failed: 0, dead: 0 },
      { queue: 'images', queued: 0, delayed: 0, active: 1, completed: 0, failed: 0, dead: 1 },
    ]);
    expect((j['workers'] as { workerId: string }[]).map((w) => w.workerId)).to.deep.equal(['w-1']);
  });

  it('enqueue: created, then existing with the same --job-id; bad input exits 2 naming the flag', async () => {
    const a = await cli('enqueue', 'mail', '--payload', '{"to":"c"}', '--queue', 'emails', '--priority', '5', '--run-at', '2030-01-01T00:00:00Z', '--job-id', 'cli-1');
    expect(a.code, a.err).to.equal(0);
    expect(a.out).to.match(/^enqueued cli-1 .*queue=emails priority=5 state=queued runAt=2030-01-01T00:00:00.000Z/);
    const b = await json('enqueue', 'mail', '--job-id', 'cli-1', '--payload', '{"to":"other"}');
    expect(b).to.deep.include({ status: 'existing', jobId: 'cli-1', queue: 'emails', priority: 5 });
    const bad: [string[], RegExp][] = [
      [['enqueue', 'mail', '--payload', '{nope'], /--payload: not valid JSON.*\(got "\{nope"\)/],
      [['enqueue', 'mail', '--delay', 'ten minutes'], /--delay: not a duration.*\(got "ten minutes"\)/],
      [['enqueue', 'mail', '--run-at', '31/12/2030'], /--run-at: must be an ISO-8601 date-time.*\(got "31\/12\/2030"\)/],
      [['enqueue', 'mail', '--delay', '10s', '--run-at', '2030-01-01T00:00:00Z'], /either --delay or --run-at/],
      [['enqueue', 'mail', '--priority', 'high'], /--priority: must be an integer.*\(got "high"\)/],
      [['enqueue', 'mail', '--queue', 'Bad Queue'], /queue.*Bad Queue/],
      [['enqueue'], /expected NAME, got nothing/],
      [['enqueue', 'mail', '--colour', 'red'], /unknown flag --colour/],
    ];
    for (const [argv, re] of bad) {
      const r = await cli(...argv);
      expect(r.code, argv.join(' ')).to.equal(2);
      expect(r.err, argv.join(' ')).to.match(re);
    }
  });

  it('jobs get: live and dead jobs, both modes; unknown id exits 1', async () => {
    const t = await cli('jobs', 'get', queuedId);
    expect(t.code).to.equal(0);
    expect(t.out).to.match(/^id\s+q-1$/m);
    expect(t.out).to.match(/^state\s+queued$/m);
    expect(t.out).to.match(/^payload\s+\{"to":"a"\}$/m);
    const dead = await json('jobs', 'get', deadId);
    expect(dead).to.include({ jobId: deadId, location: 'dead', state: 'dead' });
    const missing = await cli('jobs', 'get', 'no-such-job');
    expect(missing.code).to.equal(1);
    expect(missing.err).to.match(/job "no-such-job" not found/);
    expect((await cli('jobs', 'get')).code).to.equal(2);
  });

  it('dlq list (with --search) and dlq redrive, both modes', async () => {
    const t = await cli('dlq', 'list', 'images');
    expect(t.code).to.equal(0);
    expect(t.out).to.match(/JOB ID\s+NAME\s+ATTEMPTS/);
    expect(t.out).to.include(deadId);
    expect(t.out).to.include('disk quota exceeded');
    const found = await json('dlq', 'list', 'images', '--search', 'quota');
    expect((found['jobs'] as { jobId: string }[]).map((j) => j.jobId)).to.deep.equal([deadId]);
    const none = await json('dlq', 'list', 'images', '--search', 'network');
    expect(none['jobs']).to.deep.equal([]);
    expect((await cli('dlq', 'list', 'images', '--limit', 'lots')).err).to.match(/--limit: must be an integer/);
    expect((await cli('dlq', 'redrive', 'images')).code).to.equal(2);
    expect((await cli('dlq', 'redrive', 'images', '--all', deadId)).code).to.equal(2);
    const missing = await json('dlq', 'redrive', 'images', 'nope').catch(() => undefined);
    expect(missing).to.equal(undefined);
    const r = await cli('dlq', 'redrive', 'images', '--all');
    expect(r.code, r.err).to.equal(0);
    expect(r.out).to.equal('redriven 1 of 1 job(s) in queue images');
    const back = await json('jobs', 'get', deadId);
    expect(back).to.include({ location: 'live', state: 'queued' });
  });

  it('jobs cancel: queued is cancelled, active is requested, finished exits 1', async () => {
    const r = await json('jobs', 'cancel', 'cli-1');
    expect(r).to.deep.equal({ jobId: 'cli-1', status: 'cancelled' });
    const again = await cli('jobs', 'cancel', 'cli-1');
    expect(again.code).to.equal(1);
    expect(again.err).to.match(/not cancellable: already finished \(failed\)/);
    const active = await cli('jobs', 'cancel', activeId);
    expect(active.code).to.equal(0);
    expect(active.out).to.match(/cancellation requested/);
  });

  it('schedules list, both modes', async () => {
    const t = await cli('schedules', 'list');
    expect(t.out).to.match(/NAME\s+CRON\s+TZ\s+JOB/);
    expect(t.out).to.match(/nightly\s+0 3 \* \* \*\s+Europe\/Paris\s+report/);
    const j = await json('schedules', 'list');
    const [s] = j['schedules'] as Record<string, unknown>[];
    expect(s).to.include({ name: 'nightly', cron: '0 3 * * *', tz: 'Europe/Paris', job: 'report', misfire: 'once', paused: false, lastFireAt: null });
    // 03:00 in Paris is 01:00 or 02:00 UTC.
    expect(String(s?.['nextFireAt'])).to.match(/T0[12]:00:00.000Z$/);
  });

  it('locks list, both modes', async () => {
    const t = await cli('locks', 'list');
    expect(t.out).to.match(/RESOURCE\s+HELD\s+OWNER\s+FENCE\s+EXPIRES/);
    expect(t.out).to.match(/reports:nightly\s+yes\s+admin-test\s+1/);
    const j = await json('locks', 'list');
    expect(j['locks']).to.have.length(1);
    expect((j['locks'] as Record<string, unknown>[])[0]).to.include({ resource: 'reports:nightly', owner: 'admin-test', fence: 1, held: true });
  });

  it('events tail: filtered by queue, both modes, stops after --limit', async () => {
    const t = await cli('events', 'tail', '--queue', 'images', '--limit', '1', '--since', '10m');
    expect(t.code, t.err).to.equal(0);
    expect(t.out).to.match(/^\S+Z job:completed jobId=y name=resize queue=images attempt=1 workerId=w-1 durationMs=7$/);
    const j = await cli('events', 'tail', '--limit', '2', '--since', '10m', '--json');
    const lines = j.out.split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => [l['event'], l['jobId']])).to.deep.equal([
      ['job:completed', 'x'],
      ['job:completed', 'y'],
    ]);
    expect((await cli('events', 'tail', '--since', 'forever')).code).to.equal(2);
  });

  it('says what is missing: no Elasticsearch, bad prefix, unknown command', async () => {
    const out: string[] = [];
    const code = await runCli(['stats'], { stdout: (l) => out.push(l), stderr: (l) => out.push(l), env: {}, signal: new AbortController().signal });
    expect(code).to.equal(2);
    expect(out.join('\n')).to.match(/no Elasticsearch to talk to: pass --es URL or set ESJOBS_ES_URL/);
    const badPrefix = await runCli(['stats', '--prefix', 'Bad*'], { stdout: () => undefined, stderr: (l) => out.push(l), env: { ESJOBS_ES_URL: engine.url }, signal: new AbortController().signal });
    expect(badPrefix).to.equal(2);
    expect(out.join('\n')).to.match(/--prefix/);
    expect((await cli('jobs', 'frobnicate')).code).to.equal(2);
  });
});
