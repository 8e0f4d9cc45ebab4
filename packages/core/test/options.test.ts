import { expect } from 'chai';
import { ManualClock, systemClock } from '../src/clock.js';
import { ValidationError } from '../src/errors.js';
import { validate, withDefaults } from '../src/options/core.js';
import { validateBackpressureOptions } from '../src/options/backpressure.js';

function fieldOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).to.be.instanceOf(ValidationError);
    return (err as ValidationError).field;
  }
  return expect.fail('expected a ValidationError');
}

describe('core options', () => {
  it('applies defaults', () => {
    const r = validate({});
    expect(r.prefix).to.equal('esjobs');
    expect(r.clock).to.equal(systemClock);
    expect(r.maxPayloadBytes).to.equal(512 * 1024);
    expect(r.es).to.equal(undefined);
    expect(r.backpressure).to.deep.equal({
      maxAttempts: 6,
      baseDelayMs: 100,
      maxDelayMs: 5000,
      rateWindowMs: 60_000,
      shrinkAboveRate: 0.05,
      decreaseFactor: 0.8,
      decreaseCooldownMs: 1000,
      increaseFraction: 0.05,
      recoverIntervalMs: 10_000,
    });
    expect(withDefaults({ prefix: 'x' })).to.include({ prefix: 'x', maxPayloadBytes: 524_288 });
  });

  it('keeps given values', () => {
    const clock = new ManualClock(5);
    const r = validate({ prefix: 'tenant-a', clock, maxPayloadBytes: 1024, es: 'http://h:9200', backpressure: { maxDelay: '2s' } });
    expect(r).to.include({ prefix: 'tenant-a', clock, maxPayloadBytes: 1024, es: 'http://h:9200' });
    expect(r.backpressure.maxDelayMs).to.equal(2000);
  });

  it('names the bad field', () => {
    expect(fieldOf(() => validate({ prefix: 'UPPER' }))).to.equal('prefix');
    expect(fieldOf(() => validate({ maxPayloadBytes: 0 }))).to.equal('maxPayloadBytes');
    expect(fieldOf(() => validate({ maxPayloadBytes: 1.5 }))).to.equal('maxPayloadBytes');
    expect(fieldOf(() => validate({ clock: {} }))).to.equal('clock');
    expect(fieldOf(() => validate({ es: 42 }))).to.equal('es');
    expect(fieldOf(() => validate({ prefx: 'a' }))).to.equal('prefx');
    expect(fieldOf(() => validate('nope'))).to.equal('options');
    expect(fieldOf(() => validate({ backpressure: { decreaseFactor: 1 } }))).to.equal('backpressure.decreaseFactor');
    expect(fieldOf(() => validate({ backpressure: { baseDelay: 'soon' } }))).to.equal('backpressure.baseDelay');
    expect(fieldOf(() => validate({ backpressure: { turbo: true } }))).to.equal('backpressure.turbo');
    expect(fieldOf(() => validateBackpressureOptions({ increaseFraction: 0 }))).to.equal('backpressure.increaseFraction');
    expect(fieldOf(() => validateBackpressureOptions({ shrinkAboveRate: 1.5 }))).to.equal('backpressure.shrinkAboveRate');
    expect(fieldOf(() => validateBackpressureOptions({ shrinkAboveRate: '5%' }))).to.equal('backpressure.shrinkAboveRate');
    expect(validateBackpressureOptions({ shrinkAboveRate: 0 }).shrinkAboveRate).to.equal(0);
  });

  it('lets components add their own keys', () => {
    expect(validate({ concurrency: 5 }, ['concurrency']).prefix).to.equal('esjobs');
  });
});

describe('backpressure options', () => {
  it('withDefaults and validate agree on valid input', async () => {
    const { withDefaults: bpDefaults, validate: bpValidate } = await import('../src/options/backpressure.js');
    expect(bpDefaults({ maxDelay: '3s' })).to.deep.equal(bpValidate({ maxDelay: '3s' }));
    expect(bpDefaults().maxAttempts).to.equal(6);
  });
});
