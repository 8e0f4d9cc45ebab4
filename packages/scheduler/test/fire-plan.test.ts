import { expect } from 'chai';
import { ValidationError } from '@esjobs/core';
import { compileCron } from '../src/cron.js';
import { planFires } from '../src/fire-plan.js';
import { validate } from '../src/options.js';
import { validateSchedule } from '../src/schedule-definition.js';

const T = Date.UTC(2026, 0, 1, 0, 0, 0);
const everyMinute = compileCron('0 * * * * *', 'UTC');

describe('cron', () => {
  it('accepts 5 and 6 fields and aliases, with the next fire strictly after the given time', () => {
    expect(compileCron('*/15 * * * *').next(T)).to.equal(T + 15 * 60_000);
    expect(compileCron('30 * * * * *').next(T + 30_000)).to.equal(T + 90_000);
    expect(compileCron('@hourly').next(T)).to.equal(T + 3_600_000);
    expect(everyMinute.latestAtOrBefore(T + 59_999)).to.equal(T);
    expect(everyMinute.latestAtOrBefore(T + 60_000)).to.equal(T + 60_000);
  });

  it('reads fields in the given zone', () => {
    // 09:00 in Tokyo (UTC+9) is 00:00 UTC.
    expect(compileCron('0 9 * * *', 'Asia/Tokyo').next(T - 1)).to.equal(T);
  });

  it('rejects bad expressions and zones with the field, the value and the reason', () => {
    expect(() => compileCron('* * *')).to.throw(ValidationError, /cron: has 3 fields.*\(got "\* \* \*"\)/);
    expect(() => compileCron('0 25 * * *')).to.throw(ValidationError, /cron: invalid cron expression: .*25/);
    expect(() => compileCron('0 0 31 2 *')).to.throw(ValidationError, /cron: invalid cron expression/);
    expect(() => compileCron('* * * * *', 'Europe/Atlantis')).to.throw(ValidationError, /tz: unknown time zone.*"Europe\/Atlantis"/);
    expect(() => compileCron(42)).to.throw(ValidationError, /cron: must be a cron expression/);
  });
});

describe('planFires', () => {
  const base = { cron: everyMinute, misfireGraceMs: 10_000, maxMissedFires: 3 } as const;

  it('nothing before the next fire; every due fire when merely late', () => {
    expect(planFires({ ...base, nextFireAt: T + 60_000, now: T + 59_999, policy: 'once' }).fires).to.deep.equal([]);
    const late = planFires({ ...base, cron: compileCron('* * * * * *'), nextFireAt: T, now: T + 3_500, policy: 'skip' });
    expect(late).to.deep.equal({ fires: [T, T + 1000, T + 2000, T + 3000], misfire: false, dropped: 0, nextFireAt: T + 4000 });
  });

  it('after downtime: once = latest, all = latest maxMissedFires, skip = none', () => {
    const at = { ...base, nextFireAt: T, now: T + 10 * 60_000 + 1 };
    expect(planFires({ ...at, policy: 'once' })).to.deep.equal({ fires: [T + 600_000], misfire: true, dropped: 10, nextFireAt: T + 660_000 });
    expect(planFires({ ...at, policy: 'all' }).fires).to.deep.equal([T + 480_000, T + 540_000, T + 600_000]);
    expect(planFires({ ...at, policy: 'skip' })).to.deep.equal({ fires: [], misfire: true, dropped: 11, nextFireAt: T + 660_000 });
  });
});

describe('options and definitions', () => {
  it('validate options naming the option and value', () => {
    expect(validate({}).misfireGraceMs).to.equal(10_000);
    expect(validate({}).maxSleepMs).to.equal(1_000);
    expect(() => validate({ maxSleepMs: 0 })).to.throw(/maxSleepMs: must be an integer number of milliseconds/);
    expect(() => validate({ tick: 5 })).to.throw(/tick: unknown Scheduler option/);
    expect(() => validate({ prefix: 'A*' })).to.throw(/prefix/);
  });

  it('definitions take defaults from a job type and reject custom backoff functions', () => {
    const s = validateSchedule({ name: 'n', cron: '* * * * *', job: { name: 'j', queue: 'q', attempts: 7 } }, 1024);
    expect(s).to.include({ jobName: 'j', queue: 'q', priority: 0, misfirePolicy: 'once', maxMissedFires: 100 });
    expect(s.jobOptions).to.deep.equal({ attempts: 7 });
    expect(() => validateSchedule({ name: 'n', cron: '* * * * *', job: 'j', backoff: () => 1 }, 1024)).to.throw(/backoff/);
    expect(() => validateSchedule({ name: 'n', cron: '* * * * *', job: 'j', maxMissedFires: 0 }, 1024)).to.throw(/schedule\.maxMissedFires: must be an integer from 1/);
    expect(() => validateSchedule({ name: 'n', cron: '* * * * *', job: 'j', payload: { big: 'x'.repeat(2000) } }, 1024)).to.throw(/schedule\.payload/);
  });
});
