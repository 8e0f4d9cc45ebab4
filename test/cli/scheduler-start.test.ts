/**
 * `esjobs scheduler start` in-process through runCli: schedules files (JSON and .ts module)
 * reconciled on start, bad files rejected with exit 2 naming the entry and field, clean shutdown
 * on the abort signal (SIGTERM in the executable).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { Client } from '@elastic/elasticsearch';
import { type StartedEngine, startEngine } from '@esjobs/embedded';
import { runCli } from '../../packages/cli/src/cli.js';
import { uniquePrefix } from '../scheduler/support.js';

describe('scheduler start (in-process)', function () {
  this.timeout(30_000);
  let engine: StartedEngine;
  let client: Client;
  let dir: string;

  before(async () => {
    engine = await startEngine({ port: 0 });
    client = new Client({ node: engine.url });
    dir = mkdtempSync(join(tmpdir(), 'esjobs-sched-file-'));
  });
  after(async () => {
    await client.close();
    await engine.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function start(args: string[], until: RegExp | undefined): Promise<{ code: number; out: string; err: string }> {
    const out: string[] = [];
    const err: string[] = [];
    const abort = new AbortController();
    const running = runCli(['scheduler', 'start', '--es', engine.url, ...args], {
      stdout: (l) => {
        out.push(l);
        if (until !== undefined && until.test(l)) abort.abort();
      },
      stderr: (l) => err.push(l),
      env: {},
      signal: abort.signal,
    });
    const code = await running;
    return { code, out: out.join('\n'), err: err.join('\n') };
  }

  it('rejects bad schedules files with exit 2, naming the entry and field', async () => {
    const cases: [string, string, RegExp][] = [
      ['bad.json', '{not json', /--schedules: not valid JSON/],
      ['obj.json', '{"name":"x"}', /--schedules: must hold an array/],
      ['cron.json', JSON.stringify([{ name: 'a', cron: '* * * * *', job: 'j' }, { name: 'b', cron: '* * 99 * *', job: 'j' }]), /--schedules\[1\]\.cron: invalid cron expression/],
      ['dup.json', JSON.stringify([{ name: 'a', cron: '* * * * *', job: 'j' }, { name: 'a', cron: '* * * * *', job: 'j' }]), /--schedules\[1\]\.name: appears twice/],
    ];
    for (const [name, text, re] of cases) {
      writeFileSync(join(dir, name), text);
      const r = await start(['--prefix', uniquePrefix('bad'), '--schedules', join(dir, name)], undefined);
      expect(r.code, name).to.equal(2);
      expect(r.err, name).to.match(re);
    }
    expect((await start(['--schedules', join(dir, 'missing.json')], undefined)).err).to.match(/cannot read the file/);
    expect((await start(['--completed-max-age', 'soon'], undefined)).err).to.match(/completedMaxAge: not a duration/);
  });

  it('upserts schedules from a .ts module on start, unchanged on the second start; stops on abort', async () => {
    const prefix = uniquePrefix('file');
    const file = join(dir, 'schedules.ts');
    writeFileSync(file, `export const schedules = [{ name: 'nightly', cron: '0 2 * * *', tz: 'Europe/Berlin', job: 'report', payload: { full: true } }];\n`);
    const first = await start(['--prefix', prefix, '--schedules', file], /scheduler started/);
    expect(first.code, first.err).to.equal(0);
    expect(first.out).to.match(/schedule nightly: created, next fire \S+T0[01]:00:00.000Z/);
    expect(first.out).to.match(/scheduler stopped/);
    const second = await start(['--prefix', prefix, '--schedules', file], /scheduler started/);
    expect(second.out).to.match(/schedule nightly: unchanged/);
    // A new file: this process's module cache still holds the first one.
    const changed = join(dir, 'schedules-2.ts');
    writeFileSync(changed, `export default [{ name: 'nightly', cron: '0 3 * * *', tz: 'Europe/Berlin', job: 'report' }];\n`);
    const third = await start(['--prefix', prefix, '--schedules', changed], /scheduler started/);
    expect(third.out).to.match(/schedule nightly: updated, next fire \S+T0[12]:00:00.000Z/);
    // The engine is discarded after the file; wildcard deletes are refused (destructive_requires_name).
  });

  it('reconciles a JSON file: schedules dropped from it are deleted, API-created ones stay', async () => {
    const prefix = uniquePrefix('recon');
    const v1 = join(dir, 'recon-v1.json');
    const v2 = join(dir, 'recon-v2.json');
    writeFileSync(v1, JSON.stringify([{ name: 'A', cron: '*/5 * * * *', job: 'a' }, { name: 'B', cron: '*/10 * * * *', job: 'b' }]));
    writeFileSync(v2, JSON.stringify([{ name: 'B', cron: '*/15 * * * *', job: 'b' }, { name: 'C', cron: '30 * * * *', job: 'c' }]));
    const first = await start(['--prefix', prefix, '--schedules', v1], /scheduler started/);
    expect(first.code, first.err).to.equal(0);
    await client.index({ index: `${prefix}-schedules`, id: 'D', document: { name: 'D', cron: '0 * * * *', tz: 'UTC', jobName: 'd', payload: {}, queue: 'default', priority: 0, misfirePolicy: 'skip', paused: true, createdAt: new Date().toISOString(), updatedAt: new Date().toISOString() } });
    const second = await start(['--prefix', prefix, '--schedules', v2], /scheduler started/);
    expect(second.code, second.err).to.equal(0);
    expect(second.out).to.include(`schedule A: deleted (no longer in ${v2})`);
    expect(second.out).to.match(/schedule B: updated/).and.match(/schedule C: created/);
    await client.indices.refresh({ index: `${prefix}-schedules` });
    const res = await client.search<{ name: string; cron: string }>({ index: `${prefix}-schedules`, size: 10 });
    const names = res.hits.hits.flatMap((h) => (h._source === undefined ? [] : [`${h._source.name} ${h._source.cron}`])).sort();
    expect(names).to.deep.equal(['B */15 * * * *', 'C 30 * * * *', 'D 0 * * * *']);
  });
});
