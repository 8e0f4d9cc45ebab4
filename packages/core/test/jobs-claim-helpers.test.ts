import { expect } from 'chai';
import { ContentionSpread } from '../src/jobs/contention-spread.js';
import { RecentClaims } from '../src/jobs/recent-claims.js';
import { WriteBuffer } from '../src/jobs/write-buffer.js';

describe('jobs: contention spread', () => {
  it('takes the head in order while there is no contention', () => {
    const s = new ContentionSpread(8, () => 0.99);
    expect(s.pick([1, 2, 3, 4, 5, 6, 7, 8], 3)).to.deep.equal([1, 2, 3]);
    s.record(3, 0);
    expect(s.pick([1, 2, 3, 4, 5, 6, 7, 8], 3)).to.deep.equal([1, 2, 3]);
  });

  it('widens the window on conflicts, keeps candidate order, narrows again', () => {
    let seed = 1;
    const rnd = (): number => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
    const s = new ContentionSpread(8, rnd);
    s.record(4, 2);
    s.record(4, 1);
    expect(s.factor).to.equal(4);
    const cands = Array.from({ length: 40 }, (_, i) => i);
    const seen = new Set<number>();
    for (let k = 0; k < 50; k++) {
      const picked = s.pick(cands, 4);
      expect(picked).to.have.length(4);
      expect([...picked].sort((a, b) => a - b)).to.deep.equal(picked);
      for (const p of picked) {
        expect(p).to.be.below(16);
        seen.add(p);
      }
    }
    expect(seen.size).to.be.greaterThan(8);
    for (let k = 0; k < 10; k++) s.record(4, 0);
    expect(s.factor).to.equal(1);
  });
});

describe('jobs: recent claims', () => {
  it('drops versions at or below the known stale seq_no, bounded', () => {
    const r = new RecentClaims(2);
    r.markStale("a", 5);
    expect(r.isStale('a', 5)).to.equal(true);
    expect(r.isStale('a', 4)).to.equal(true);
    expect(r.isStale('a', 6)).to.equal(false);
    expect(r.isStale('b', 0)).to.equal(false);
    r.markStale('b', 1);
    r.markStale('c', 1);
    expect(r.size).to.equal(2);
    expect(r.isStale('a', 5)).to.equal(false);
  });

  it('lists ids marked within a real-time window, newest first, and forgets requeued ones', () => {
    let t = 1000;
    const r = new RecentClaims(100, () => t);
    r.markStale('old', 1);
    t = 5000;
    r.markStale('mid', 1);
    t = 6000;
    r.markStale('new', 1);
    expect(r.recentIds(2000, 10)).to.deep.equal(['new', 'mid']);
    expect(r.recentIds(2000, 1)).to.deep.equal(['new']);
    r.forget('new');
    expect(r.recentIds(10_000, 10)).to.deep.equal(['mid', 'old']);
  });
});

describe('jobs: write buffer', () => {
  it('sends writes that arrive together as one batch and answers each', async () => {
    const batches: number[][] = [];
    const b = new WriteBuffer<number, string>(async (reqs) => {
      batches.push([...reqs]);
      return reqs.map((r) => `ok ${r}`);
    }, 5, 100);
    const outs = await Promise.all([1, 2, 3].map((n) => b.add(n)));
    expect(outs).to.deep.equal(['ok 1', 'ok 2', 'ok 3']);
    expect(batches).to.deep.equal([[1, 2, 3]]);
    expect(b.batches).to.equal(1);
  });

  it('flushes at maxItems and rejects every write of a failed batch', async () => {
    const batches: number[][] = [];
    const b = new WriteBuffer<number, number>(async (reqs) => {
      batches.push([...reqs]);
      if (reqs.includes(99)) throw new Error('cluster down');
      return reqs;
    }, 1000, 2);
    expect(await Promise.all([b.add(1), b.add(2)])).to.deep.equal([1, 2]);
    const failing = [b.add(99), b.add(3)];
    const settled = await Promise.allSettled(failing);
    expect(settled.map((s) => s.status)).to.deep.equal(['rejected', 'rejected']);
    expect(batches).to.deep.equal([[1, 2], [99, 3]]);
    await b.flush();
  });
});
