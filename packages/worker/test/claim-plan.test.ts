import { expect } from 'chai';
import { planClaims } from '../src/claim-plan.js';
import { PollDelay } from '../src/poll-delay.js';

describe('claim planning', () => {
  it('claims all unlimited names and queues together', () => {
    const groups = planClaims({ queues: ['a', 'b'], unlimitedNames: ['x', 'y'], limitedNames: [], queueLimits: new Map(), round: 0 });
    expect(groups).to.deep.equal([{ queues: ['a', 'b'], names: ['x', 'y'], cap: Number.POSITIVE_INFINITY }]);
  });

  it('gives limited types and limited queues their own capped claims, rotating the start', () => {
    const input = {
      queues: ['a', 'lim'],
      unlimitedNames: ['x'],
      limitedNames: [
        { name: 'slow', limit: 2, running: 1 },
        { name: 'full', limit: 1, running: 1 },
      ],
      queueLimits: new Map([['lim', 3]]),
    };
    const g0 = planClaims({ ...input, round: 0 });
    expect(g0).to.have.length(4);
    expect(g0[0]).to.deep.equal({ queues: ['a'], names: ['x'], cap: Number.POSITIVE_INFINITY });
    expect(g0[1]).to.deep.equal({ queues: ['lim'], names: ['x'], cap: Number.POSITIVE_INFINITY, limitedQueue: { queue: 'lim', limit: 3 } });
    expect(g0[2]).to.deep.equal({ queues: ['a'], names: ['slow'], cap: 1 });
    expect(g0.some((g) => g.names.includes('full'))).to.equal(false);
    const g1 = planClaims({ ...input, round: 1 });
    expect(g1[0]).to.deep.equal(g0[1]);
  });
});

describe('poll delay', () => {
  it('polls at once after a full batch, briefly after a partial one, and backs off while idle up to the cap', () => {
    const p = new PollDelay(50, 400);
    expect(p.next({ requested: 10, claimed: 10, failed: false, backoffMs: 0 })).to.equal(0);
    expect(p.next({ requested: 10, claimed: 3, failed: false, backoffMs: 0 })).to.equal(50);
    const idle = [1, 2, 3, 4, 5].map(() => p.next({ requested: 10, claimed: 0, failed: false, backoffMs: 0 }));
    expect(idle).to.deep.equal([50, 100, 200, 400, 400]);
    p.reset();
    expect(p.next({ requested: 10, claimed: 0, failed: false, backoffMs: 0 })).to.equal(50);
  });

  it('waits at least the backpressure delay and backs off on errors', () => {
    const p = new PollDelay(50, 400);
    expect(p.next({ requested: 10, claimed: 10, failed: false, backoffMs: 300 })).to.equal(300);
    const errs = [1, 2, 3].map(() => p.next({ requested: 0, claimed: 0, failed: true, backoffMs: 0 }));
    expect(errs).to.deep.equal([100, 200, 400]);
  });
});
