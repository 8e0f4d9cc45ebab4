import { expect } from 'chai';
import { ManualClock, ValidationError } from '@esjobs/core';
import { Scheduler } from '@esjobs/scheduler';
import { type SchedTarget, openTarget } from './support.js';

const T0 = Date.UTC(2026, 0, 5, 12, 0, 0);

describe('Scheduler.reconcileSchedules (schedules files)', function () {
  this.timeout(20_000);
  let t: SchedTarget;
  let s: Scheduler;

  beforeEach(async () => {
    t = await openTarget('recon');
    s = new Scheduler({ es: t.ctx(new ManualClock(T0)), bootstrap: false });
  });
  afterEach(async () => {
    await s.stop();
    await t.close();
  });

  async function stored(): Promise<Map<string, { cron: string; managedBy: string | undefined }>> {
    await t.client.indices.refresh({ index: `${t.prefix}-schedules` });
    const res = await t.client.search<{ name: string; cron: string; managedBy?: string }>({ index: `${t.prefix}-schedules`, size: 100 });
    return new Map(res.hits.hits.flatMap((h) => (h._source === undefined ? [] : [[h._source.name, { cron: h._source.cron, managedBy: h._source.managedBy }] as const])));
  }

  it('v1 creates A,B; v2 deletes A, updates B, creates C; API-created D untouched', async () => {
    await s.schedule({ name: 'D', cron: '0 * * * *', job: 'd' });
    const v1 = await s.reconcileSchedules(
      [
        { name: 'A', cron: '*/5 * * * *', job: 'a' },
        { name: 'B', cron: '*/10 * * * *', job: 'b' },
      ],
      { managedBy: 'file' },
    );
    expect(v1.results.map((r) => [r.schedule.name, r.status])).to.deep.equal([
      ['A', 'created'],
      ['B', 'created'],
    ]);
    expect(v1.deleted).to.deep.equal([]);
    let docs = await stored();
    expect([...docs.keys()].sort()).to.deep.equal(['A', 'B', 'D']);
    expect(docs.get('A')?.managedBy).to.equal('file');
    expect(docs.get('D')?.managedBy).to.equal(undefined);

    const v2 = await s.reconcileSchedules(
      [
        { name: 'B', cron: '*/15 * * * *', job: 'b' },
        { name: 'C', cron: '30 * * * *', job: 'c' },
      ],
      { managedBy: 'file' },
    );
    expect(v2.results.map((r) => [r.schedule.name, r.status])).to.deep.equal([
      ['B', 'updated'],
      ['C', 'created'],
    ]);
    expect(v2.deleted).to.deep.equal(['A']);
    docs = await stored();
    expect([...docs.keys()].sort()).to.deep.equal(['B', 'C', 'D']);
    expect(docs.get('B')).to.deep.equal({ cron: '*/15 * * * *', managedBy: 'file' });
    expect(docs.get('D')).to.deep.equal({ cron: '0 * * * *', managedBy: undefined });
    expect((await s.getSchedule('A'))).to.equal(undefined);

    // The same file again writes nothing and deletes nothing; an empty file deletes only its own.
    const v3 = await s.reconcileSchedules([{ name: 'B', cron: '*/15 * * * *', job: 'b' }, { name: 'C', cron: '30 * * * *', job: 'c' }], { managedBy: 'file' });
    expect(v3.results.map((r) => r.status)).to.deep.equal(['unchanged', 'unchanged']);
    expect(v3.deleted).to.deep.equal([]);
    const v4 = await s.reconcileSchedules([], { managedBy: 'file' });
    expect([...v4.deleted].sort()).to.deep.equal(['B', 'C']);
    expect([...(await stored()).keys()]).to.deep.equal(['D']);
  });

  it('a file that names an API schedule adopts it; another owner is never deleted', async () => {
    await s.schedule({ name: 'D', cron: '0 * * * *', job: 'd' });
    await s.reconcileSchedules([{ name: 'other', cron: '0 0 * * *', job: 'o' }], { managedBy: 'file:other' });
    const r = await s.reconcileSchedules([{ name: 'D', cron: '0 * * * *', job: 'd' }], { managedBy: 'file' });
    expect(r.results[0]?.status).to.equal('updated');
    expect((await stored()).get('D')?.managedBy).to.equal('file');
    // An API upsert of an owned schedule keeps its owner.
    await s.schedule({ name: 'D', cron: '5 * * * *', job: 'd' });
    expect((await stored()).get('D')).to.deep.equal({ cron: '5 * * * *', managedBy: 'file' });
    await s.reconcileSchedules([], { managedBy: 'file' });
    expect([...(await stored()).keys()]).to.deep.equal(['other']);
  });

  it('rejects an empty managedBy and duplicate names before writing anything', async () => {
    let err: unknown = await s.reconcileSchedules([], { managedBy: '' }).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(ValidationError);
    err = await s
      .reconcileSchedules([{ name: 'X', cron: '* * * * *', job: 'x' }, { name: 'X', cron: '* * * * *', job: 'x' }], { managedBy: 'file' })
      .catch((e: unknown) => e);
    expect(err).to.be.instanceOf(ValidationError);
    expect(String(err)).to.contain('reconcileSchedules[1].name');
    expect((await stored()).size).to.equal(0);
  });
});
