/**
 * Type-level checks of the job definition types. The assertions live in the types: a wrong
 * inference fails `pnpm typecheck`; the runtime part only keeps mocha aware of the file.
 */
import { expect } from 'chai';
import type { JobMapOf, JobType, PayloadOf, ResultOf } from '../src/jobs/job-type.js';

/** True only when A and B are mutually assignable and neither is `any`. */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function assertType<T extends true>(): T | undefined {
  return undefined;
}

interface Email {
  to: string;
}
interface Sent {
  messageId: string;
}

// What a worker's defineJob returns is a JobType with a handler-typed payload and result.
type SendEmail = JobType<'send-email', Email, Sent>;
type Resize = JobType<'resize', { width: number }, void>;
type Untyped = JobType;

// A jobs module's exports, as `typeof import('./jobs.js')` would give them.
interface JobsModule {
  readonly sendEmail: SendEmail;
  readonly resize: Resize;
  readonly helper: (x: number) => number;
  readonly version: string;
}
type Jobs = JobMapOf<JobsModule>;

describe('jobs: definition types', () => {
  it('infers payload and result from a typed definition', () => {
    const checks = [
      assertType<Equal<PayloadOf<SendEmail>, Email>>(),
      assertType<Equal<ResultOf<SendEmail>, Sent>>(),
      assertType<Equal<ResultOf<Resize>, void>>(),
      assertType<Equal<PayloadOf<Untyped>, unknown>>(),
      assertType<Equal<ResultOf<Untyped>, unknown>>(),
      // Not a job type at all.
      assertType<Equal<ResultOf<string>, never>>(),
      // @ts-expect-error the result is not `never` (the contravariant payload used to make it so)
      assertType<Equal<ResultOf<SendEmail>, never>>(),
    ];
    const ok: PayloadOf<SendEmail> = { to: 'a@b.c' };
    // @ts-expect-error a wrong payload shape is rejected
    const bad: PayloadOf<SendEmail> = { too: 'a@b.c' };
    const result: ResultOf<SendEmail> = { messageId: 'm' };
    expect([...checks, ok, bad, result]).to.have.length(10);
  });

  it('maps a module to name → definition, keeping typed definitions and dropping the rest', () => {
    const checks = [
      assertType<Equal<Jobs['send-email'], SendEmail>>(),
      assertType<Equal<Jobs['resize'], Resize>>(),
      assertType<Equal<PayloadOf<Jobs['send-email']>, Email>>(),
      assertType<Equal<ResultOf<Jobs['send-email']>, Sent>>(),
    ];
    const keys = [
      assertType<Equal<keyof Jobs, 'send-email' | 'resize'>>(),
      // @ts-expect-error non-job exports (functions, strings) are not in the map
      assertType<Equal<keyof Jobs, 'send-email' | 'resize' | 'helper'>>(),
    ];
    expect([...checks, ...keys]).to.have.length(6);
  });
});
