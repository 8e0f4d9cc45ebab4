import { expect } from 'chai';
import { ValidationError } from '../src/errors.js';
import { backoffDefault, computeBackoff, toStoredBackoff, validateBackoff } from '../src/backoff.js';

describe('backoff', () => {
  it('fixed: numbers, ms strings and the object form', () => {
    expect(computeBackoff(500, 1)).to.equal(500);
    expect(computeBackoff('2s', 7)).to.equal(2000);
    expect(computeBackoff({ type: 'fixed', delay: '1m' }, 3)).to.equal(60_000);
    expect(computeBackoff(null, 3)).to.equal(0);
  });

  it('exponential doubles per attempt, caps at maxDelay, jitter randomises downwards', () => {
    const b = { type: 'exponential', delay: '1s', maxDelay: '10s', jitter: 0 } as const;
    expect([1, 2, 3, 4, 5, 6].map((a) => computeBackoff(b, a))).to.deep.equal([1000, 2000, 4000, 8000, 10_000, 10_000]);
    const j = { type: 'exponential', delay: 1000, jitter: 0.5 } as const;
    expect(computeBackoff(j, 3, () => 0)).to.equal(4000);
    expect(computeBackoff(j, 3, () => 1)).to.equal(2000);
    expect(computeBackoff(j, 3, () => 0.5)).to.equal(3000);
    // default jitter 0.2 and default cap 1 h
    expect(computeBackoff({ type: 'exponential', delay: 1000 }, 1, () => 1)).to.equal(800);
    expect(computeBackoff({ type: 'exponential', delay: 1000, jitter: 0 }, 1000)).to.equal(3_600_000);
    expect(computeBackoff(backoffDefault, 2, () => 0)).to.equal(2000);
  });

  it('jitter spreads delays within the documented range', () => {
    const b = validateBackoff({ type: 'exponential', delay: 100, jitter: 1 });
    const seen = new Set<number>();
    for (let i = 0; i < 200; i++) {
      const d = computeBackoff(b, 4);
      expect(d).to.be.within(0, 800);
      seen.add(d);
    }
    expect(seen.size).to.be.greaterThan(50);
  });

  it('custom functions get (attempt, error) and may return ms strings', () => {
    const calls: [number, unknown][] = [];
    const fn = (attempt: number, error: unknown): number | string => {
      calls.push([attempt, error]);
      return attempt === 1 ? 250 : '3s';
    };
    const boom = new Error('boom');
    expect(computeBackoff(fn, 1, Math.random, boom)).to.equal(250);
    expect(computeBackoff(fn, 2, Math.random, boom)).to.equal(3000);
    expect(calls).to.deep.equal([
      [1, boom],
      [2, boom],
    ]);
    expect(() => computeBackoff(() => -5, 1)).to.throw(ValidationError, 'backoff(attempt 1)');
    expect(() => computeBackoff(() => Number.NaN, 1)).to.throw(ValidationError);
  });

  it('custom policies store as { type: "custom" } and fall back to the default without the function', () => {
    const resolved = validateBackoff(() => 10);
    expect(resolved?.type).to.equal('custom');
    if (resolved === null) return expect.fail('resolved');
    const stored = toStoredBackoff(resolved);
    expect(JSON.parse(JSON.stringify(stored))).to.deep.equal({ type: 'custom' });
    expect(computeBackoff(stored, 2, () => 0)).to.equal(2000);
    const exp = validateBackoff({ type: 'exponential', delay: '5s' });
    expect(exp).to.deep.equal({ type: 'exponential', delayMs: 5000, maxDelayMs: 3_600_000, jitter: 0.2 });
  });

  it('rejects bad options naming the field and value', () => {
    const bad: [unknown, string][] = [
      [{ type: 'linear', delay: 1 }, 'backoff.type'],
      [{ type: 'fixed', delay: '3 fortnights' }, 'backoff.delay'],
      [{ type: 'fixed', delay: 1, jitter: 0.1 }, 'backoff.jitter'],
      [{ type: 'exponential', delay: 1000, maxDelay: 10 }, 'backoff.maxDelay'],
      [{ type: 'exponential', delay: 1000, jitter: 2 }, 'backoff.jitter'],
      [-1, 'backoff'],
      [true, 'backoff'],
      [[1], 'backoff'],
    ];
    for (const [value, field] of bad) {
      try {
        validateBackoff(value);
        expect.fail(`accepted ${JSON.stringify(value)}`);
      } catch (err) {
        expect(err, JSON.stringify(value)).to.be.instanceOf(ValidationError);
        expect((err as ValidationError).field).to.equal(field);
      }
    }
    expect(() => computeBackoff(100, 0)).to.throw(ValidationError, 'attempt');
  });
});
