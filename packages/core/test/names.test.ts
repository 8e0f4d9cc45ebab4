import { expect } from 'chai';
import { ValidationError } from '../src/errors.js';
import { INDEX_NAME_MAX_BYTES, PREFIX_MAX_BYTES, QUEUE_NAME_MAX_BYTES, indexNames, validatePrefix, validateQueueName } from '../src/indices/names.js';

function rejects(fn: () => unknown, field: string, fragment: string): void {
  try {
    fn();
  } catch (err) {
    expect(err).to.be.instanceOf(ValidationError);
    const v = err as ValidationError;
    expect(v.field).to.equal(field);
    expect(v.message).to.include(fragment);
    expect(v.code).to.equal('ESJOBS_VALIDATION');
    return;
  }
  expect.fail(`expected ValidationError for ${field}`);
}

describe('index names', () => {
  it('derives every index from the default prefix', () => {
    const n = indexNames();
    expect(n.prefix).to.equal('esjobs');
    expect([n.jobs, n.locks, n.schedules, n.workers, n.events]).to.deep.equal([
      'esjobs-jobs',
      'esjobs-locks',
      'esjobs-schedules',
      'esjobs-workers',
      'esjobs-events',
    ]);
    expect(n.dead('emails')).to.equal('esjobs-dead-emails');
    expect(n.deadPattern).to.equal('esjobs-dead-*');
  });

  it('accepts ordinary prefixes and queue names', () => {
    for (const p of ['a', 'my-app', 'app.v2', 'x_y', 'tenant1-jobs', 'ünïcode']) expect(validatePrefix(p)).to.equal(p);
    expect(indexNames('t1').dead('high.priority')).to.equal('t1-dead-high.priority');
  });

  it('rejects forbidden prefixes naming field and value', () => {
    rejects(() => validatePrefix('MyApp'), 'prefix', 'lowercase');
    for (const ch of ['*', ',', '/', '\\', '?', '"', '<', '>', '|', '#', ':']) rejects(() => validatePrefix(`a${ch}b`), 'prefix', `"${ch}"`);
    rejects(() => validatePrefix('a b'), 'prefix', 'whitespace');
    rejects(() => validatePrefix('a\tb'), 'prefix', 'whitespace');
    for (const lead of ['_', '-', '+']) rejects(() => validatePrefix(`${lead}abc`), 'prefix', 'must not start');
    rejects(() => validatePrefix('.'), 'prefix', '"." or ".."');
    rejects(() => validatePrefix('..'), 'prefix', '"." or ".."');
    rejects(() => validatePrefix(''), 'prefix', 'empty');
    rejects(() => validatePrefix(42), 'prefix', 'string');
    rejects(() => indexNames('Bad'), 'prefix', 'lowercase');
  });

  it('the error message shows the bad value', () => {
    rejects(() => validatePrefix('a*b'), 'prefix', '(got "a*b")');
  });

  it('bounds lengths in bytes so the longest derived name fits in 255 bytes', () => {
    const longPrefix = 'p'.repeat(PREFIX_MAX_BYTES);
    const longQueue = 'q'.repeat(QUEUE_NAME_MAX_BYTES);
    const names = indexNames(longPrefix);
    const all = [names.jobs, names.locks, names.schedules, names.workers, names.events, names.dead(longQueue)];
    for (const n of all) expect(Buffer.byteLength(n)).to.be.at.most(INDEX_NAME_MAX_BYTES);
    rejects(() => validatePrefix(`${longPrefix}p`), 'prefix', 'bytes');
    // multi-byte characters count by bytes, not characters
    rejects(() => validatePrefix('é'.repeat(PREFIX_MAX_BYTES / 2 + 1)), 'prefix', 'bytes');
    rejects(() => names.dead(`${longQueue}q`), 'queue', 'bytes');
  });

  it('validates queue names with the same rules', () => {
    rejects(() => validateQueueName('Emails'), 'queue', 'lowercase');
    rejects(() => validateQueueName('a,b'), 'queue', '","');
    rejects(() => validateQueueName('_x'), 'queue', 'must not start');
    rejects(() => indexNames().dead('a*'), 'queue', '"*"');
    rejects(() => validateQueueName('x y', 'job.queue'), 'job.queue', 'whitespace');
  });
});
