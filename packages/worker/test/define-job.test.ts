import { expect } from 'chai';
import { ValidationError, type JobMapOf, type PayloadOf, type ResultOf } from '@esjobs/core';
import { defineJob, isJobDefinition, validateWorkerOptions } from '@esjobs/worker';

const sendEmail = defineJob({
  name: 'send-email',
  queue: 'emails',
  timeout: '2s',
  handler: async (p: { to: string }) => ({ messageId: `id-${p.to}` }),
});

describe('defineJob', () => {
  it('keeps the definition and resolves the timeout to ms', () => {
    expect(sendEmail.name).to.equal('send-email');
    expect(sendEmail.queue).to.equal('emails');
    expect(sendEmail.timeoutMs).to.equal(2000);
    expect(isJobDefinition(sendEmail)).to.equal(true);
    expect(isJobDefinition({ name: 'x' })).to.equal(false);
  });

  it('carries payload and result types to producers', () => {
    // Compile-time checks: these lines fail the typecheck if the types do not flow.
    const payload: PayloadOf<typeof sendEmail> = { to: 'a@b.c' };
    // @ts-expect-error wrong payload shape is rejected
    const bad: PayloadOf<typeof sendEmail> = { too: 'a' };
    const result: Awaited<ResultOf<typeof sendEmail>> = { messageId: 'm' };
    // @ts-expect-error wrong result shape is rejected (ResultOf is not `never`)
    const badResult: Awaited<ResultOf<typeof sendEmail>> = { id: 'm' };
    const jobs: JobMapOf<{ sendEmail: typeof sendEmail; helper: () => void }> = { 'send-email': sendEmail };
    expect([payload.to, result.messageId, bad, badResult, jobs['send-email'].name]).to.have.length(5);
  });

  it('rejects bad definitions naming the field', () => {
    expect(() => defineJob({ name: '', handler: () => 1 })).to.throw(ValidationError, /defineJob.name/);
    expect(() => defineJob({ name: 'a', handler: 5 as never })).to.throw(ValidationError, /handler/);
    expect(() => defineJob({ name: 'a', handler: () => 1, concurrency: 0 })).to.throw(ValidationError, /defineJob\(a\)\.concurrency.*got 0/);
    expect(() => defineJob({ name: 'a', handler: () => 1, timeout: 'soon' })).to.throw(ValidationError, /defineJob\(a\)\.timeout/);
    expect(() => defineJob({ name: 'a', handler: () => 1, queue: 'Bad Queue' })).to.throw(ValidationError, /defineJob\(a\)\.queue/);
    expect(() => defineJob({ name: 'a', handler: () => 1, attempts: 1.5 })).to.throw(ValidationError, /attempts/);
  });
});

describe('worker options', () => {
  const client = {} as never;
  const jobs = [sendEmail];

  it('applies defaults', () => {
    const o = validateWorkerOptions({ es: client, jobs });
    expect(o.queues).to.deep.equal(['default']);
    expect(o.concurrency).to.equal(10);
    expect(o.leaseMs).to.equal(30_000);
    expect(o.shutdownTimeoutMs).to.equal(30_000);
    expect(o.reapIntervalMs).to.equal(15_000);
    expect(o.prefix).to.equal('esjobs');
    expect([...o.jobs.keys()]).to.deep.equal(['send-email']);
  });

  it('accepts durations as ms strings', () => {
    const o = validateWorkerOptions({ es: client, jobs, lease: '2s', shutdownTimeout: '0' });
    expect(o.leaseMs).to.equal(2000);
    expect(o.shutdownTimeoutMs).to.equal(0);
    expect(o.reapIntervalMs).to.equal(1000);
  });

  it('names the field and value of bad options', () => {
    expect(() => validateWorkerOptions({ es: client, jobs, concurrency: 0 })).to.throw(ValidationError, /concurrency.*got 0/);
    expect(() => validateWorkerOptions({ es: client, jobs, leaseMs: 100 })).to.throw(ValidationError, /leaseMs.*at least 300/);
    expect(() => validateWorkerOptions({ es: client, jobs, lease: '1s', leaseMs: 1000 })).to.throw(ValidationError, /either leaseMs or lease/);
    expect(() => validateWorkerOptions({ es: client, jobs, queues: [] })).to.throw(ValidationError, /queues/);
    expect(() => validateWorkerOptions({ es: client, jobs, queues: ['A'] })).to.throw(ValidationError, /queues\[0\].*lowercase/);
    expect(() => validateWorkerOptions({ es: client, jobs: [] })).to.throw(ValidationError, /jobs/);
    expect(() => validateWorkerOptions({ es: client, jobs: [sendEmail, sendEmail] })).to.throw(ValidationError, /defined twice/);
    expect(() => validateWorkerOptions({ es: client, jobs: [{ name: 'x' }] as never })).to.throw(ValidationError, /jobs\[0\]/);
    expect(() => validateWorkerOptions({ es: client, jobs, queueLimits: { q: 0 } })).to.throw(ValidationError, /queueLimits\.q/);
    expect(() => validateWorkerOptions({ es: client, jobs, pollMinMs: 500, pollMaxMs: 100 })).to.throw(ValidationError, /pollMaxMs/);
    expect(() => validateWorkerOptions({ es: client, jobs, colour: 'red' })).to.throw(ValidationError, /options\.colour.*unknown/);
    expect(() => validateWorkerOptions({ es: undefined, jobs })).to.throw(ValidationError, /^es:/);
  });
});
