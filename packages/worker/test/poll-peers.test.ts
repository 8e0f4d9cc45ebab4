import { expect } from 'chai';
import type { ListedWorker } from '@esjobs/core';
import { PollDelay } from '../src/poll-delay.js';
import { ClaimPeers } from '../src/claim-peers.js';

describe('worker: poll delay', () => {
  it('polls at once after a full batch and after rounds lost to other claimers, backs off only when idle', () => {
    const p = new PollDelay(50, 2_000);
    expect(p.next({ requested: 10, claimed: 10, failed: false, backoffMs: 0 })).to.equal(0);
    // Lost to others: the work is there; a few immediate retries, then the short delay.
    expect(p.next({ requested: 10, claimed: 2, failed: false, backoffMs: 0, conflicts: 8, candidates: 40 })).to.equal(0);
    expect(p.next({ requested: 10, claimed: 0, failed: false, backoffMs: 0, conflicts: 10, candidates: 40 })).to.equal(0);
    expect(p.next({ requested: 10, claimed: 0, failed: false, backoffMs: 0, conflicts: 10, candidates: 40 })).to.equal(0);
    expect(p.next({ requested: 10, claimed: 0, failed: false, backoffMs: 0, conflicts: 10, candidates: 40 })).to.equal(50);
    // Only stale candidates: short delay, no doubling.
    expect(p.next({ requested: 10, claimed: 0, failed: false, backoffMs: 0, conflicts: 0, candidates: 40 })).to.equal(50);
    expect(p.next({ requested: 10, claimed: 0, failed: false, backoffMs: 0, conflicts: 0, candidates: 40 })).to.equal(50);
    // Idle: doubling up to the cap.
    const idle = [1, 2, 3, 4, 5, 6, 7].map(() => p.next({ requested: 10, claimed: 0, failed: false, backoffMs: 0, conflicts: 0, candidates: 0 }));
    expect(idle).to.deep.equal([50, 100, 200, 400, 800, 1_600, 2_000]);
    // Push-back wins over everything.
    expect(p.next({ requested: 10, claimed: 10, failed: false, backoffMs: 700 })).to.equal(700);
  });
});

function listed(workerId: string, queues: string[], extra: Partial<ListedWorker> = {}): ListedWorker {
  const now = new Date().toISOString();
  return { workerId, host: 'h', pid: 1, queues, jobNames: [], concurrency: 1, active: 0, state: 'running', startedAt: now, lastSeenAt: now, intervalMs: 10_000, version: '0', live: true, ...extra };
}

describe('worker: claim peers', () => {
  it('ranks this worker among the live running workers sharing a queue', () => {
    const p = new ClaimPeers('w-b', ['emails', 'default']);
    expect(p.share).to.equal(undefined);
    p.update([listed('w-b', ['emails'])]);
    expect(p.share, 'alone: the whole range, searched as an own slice').to.deep.equal({ rank: 0, of: 1 });
    p.update([
      listed('w-c', ['emails']),
      listed('w-a', ['default', 'reports']),
      listed('w-b', ['emails', 'default']),
      listed('w-d', ['reports']),
      listed('w-e', ['emails'], { live: false }),
      listed('w-f', ['emails'], { state: 'stopping' }),
    ]);
    expect(p.share).to.deep.equal({ rank: 1, of: 3 });
    // Not yet visible in the registry itself: still counted.
    p.update([listed('w-a', ['emails'])]);
    expect(p.share).to.deep.equal({ rank: 1, of: 2 });
    p.clear();
    expect(p.share).to.equal(undefined);
  });
});
