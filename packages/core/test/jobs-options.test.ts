import { expect } from 'chai';
import { ValidationError } from '../src/errors.js';
import { validate, withDefaults, validateJobId, parseTime } from '../src/jobs/options.js';
import { validate as validateStore } from '../src/jobs/store-options.js';
import { JobState, transitions, jobStates, isJobState } from '../src/jobs/state.js';

const NOW = Date.parse('2026-01-01T00:00:00.000Z');

function expectValidation(fn: () => unknown, field: string, text?: RegExp): void {
  try {
    fn();
  } catch (err) {
    expect(err).to.be.instanceOf(ValidationError);
    expect((err as ValidationError).field).to.equal(field);
    if (text !== undefined) expect((err as Error).message).to.match(text);
    return;
  }
  expect.fail(`expected a ValidationError on ${field}`);
}

describe('jobs: options', () => {
  it('applies defaults', () => {
    const o = validate(undefined, NOW);
    expect(o).to.deep.include({ queue: 'default', priority: 0, runAtMs: NOW, jobId: undefined, maxAttempts: 3, timeoutMs: null, maxStalls: 1 });
    expect(o.backoff).to.deep.equal({ type: 'exponential', delayMs: 1000, maxDelayMs: 3_600_000, jitter: 0.2 });
  });

  it('resolves delay and runAt (Date, ISO string, epoch ms), durations as ms strings', () => {
    expect(withDefaults({ delay: '5s' }, NOW).runAtMs).to.equal(NOW + 5000);
    expect(withDefaults({ delay: 250 }, NOW).runAtMs).to.equal(NOW + 250);
    expect(withDefaults({ runAt: new Date(NOW + 1) }, NOW).runAtMs).to.equal(NOW + 1);
    expect(withDefaults({ runAt: '2026-01-02T00:00:00Z' }, NOW).runAtMs).to.equal(NOW + 86_400_000);
    expect(withDefaults({ runAt: NOW + 7 }, NOW).runAtMs).to.equal(NOW + 7);
    expect(withDefaults({ timeout: '2m', backoff: '10s' }, NOW)).to.deep.include({ timeoutMs: 120_000, backoff: { type: 'fixed', delayMs: 10_000 } });
    expect(withDefaults({ backoff: null }, NOW).backoff).to.equal(null);
    expect(withDefaults({ backoff: () => 5 }, NOW).backoff).to.deep.equal({ type: 'custom' });
  });

  it('rejects bad values naming the field and the value', () => {
    expectValidation(() => validate({ priority: 1.5 }, NOW), 'options.priority', /integer.*got 1\.5/);
    expectValidation(() => validate({ priority: 2 ** 31 }, NOW), 'options.priority');
    expectValidation(() => validate({ queue: 'Bad' }, NOW), 'options.queue', /lowercase/);
    expectValidation(() => validate({ queue: 'a,b' }, NOW), 'options.queue');
    expectValidation(() => validate({ delay: 5, runAt: NOW }, NOW), 'options.runAt', /not both/);
    expectValidation(() => validate({ delay: '3 fortnights' }, NOW), 'options.delay', /3 fortnights/);
    expectValidation(() => validate({ delay: -1 }, NOW), 'options.delay');
    expectValidation(() => validate({ runAt: 'tomorrow' }, NOW), 'options.runAt', /tomorrow/);
    expectValidation(() => validate({ runAt: new Date('x') }, NOW), 'options.runAt', /Invalid Date/);
    expectValidation(() => validate({ attempts: 0 }, NOW), 'options.attempts');
    expectValidation(() => validate({ attempts: '3' }, NOW), 'options.attempts');
    expectValidation(() => validate({ jobId: '' }, NOW), 'options.jobId');
    expectValidation(() => validate({ jobId: '_id' }, NOW), 'options.jobId', /reserved/);
    expectValidation(() => validate({ jobId: 'x'.repeat(513) }, NOW), 'options.jobId', /512 bytes/);
    expectValidation(() => validate({ backoff: { type: 'linear', delay: 1 } }, NOW), 'options.backoff.type');
    expectValidation(() => validate({ timeout: 0 }, NOW), 'options.timeout');
    expectValidation(() => validate({ maxStalls: -1 }, NOW), 'options.maxStalls');
    expectValidation(() => validate({ prority: 1 }, NOW), 'options.prority', /unknown job option/);
    expectValidation(() => validate('fast', NOW), 'options');
    expectValidation(() => validateJobId(42), 'jobId');
    expectValidation(() => parseTime('t', 1.5), 't');
  });

  it('store options validate and default', () => {
    expect(validateStore(undefined)).to.deep.include({ leaseMs: 30_000, claimOversample: 4, writeBufferDelayMs: 5, verifyCandidates: true });
    expect(validateStore({ lease: '10s' }).leaseMs).to.equal(10_000);
    expectValidation(() => validateStore({ lease: 'soon' }), 'lease');
    expectValidation(() => validateStore({ claimOversample: 0 }), 'claimOversample');
    expectValidation(() => validateStore({ writeBufferMaxItems: 1.5 }), 'writeBufferMaxItems');
    expectValidation(() => validateStore({ verifyCandidates: 'yes' }), 'verifyCandidates');
    expectValidation(() => validateStore({ leese: 1 }), 'leese', /unknown/);
  });
});

describe('jobs: states', () => {
  it('is one as-const object with a matching transition table', () => {
    expect(jobStates).to.deep.equal(['queued', 'active', 'completed', 'failed']);
    expect(isJobState('active')).to.equal(true);
    expect(isJobState('dead')).to.equal(false);
    expect(transitions.claim).to.deep.equal({ from: [JobState.queued], to: JobState.active });
    expect(transitions['dead-letter'].to).to.equal('dead');
    // every non-terminal state has a way out; completed and failed are terminal
    const sources = new Set(Object.values(transitions).flatMap((t) => t.from));
    expect([...sources].sort()).to.deep.equal(['active', 'dead', 'queued']);
  });
});
