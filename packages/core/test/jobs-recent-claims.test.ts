import { expect } from 'chai';
import { RecentClaims } from '../src/jobs/recent-claims.js';

describe('jobs: recent claims after a put-back', () => {
  it('drops stale hits of a put-back job without excluding it from searches', () => {
    let t = 1000;
    const r = new RecentClaims(100, () => t);
    r.markStale('j', 4); // claimed at version 4 (now active at 5)
    expect(r.recentIds(3000, 10)).to.deep.equal(['j']);
    r.forget('j', 5); // retried: queued again at a version above 5
    expect(r.recentIds(3000, 10)).to.deep.equal([]);
    expect(r.isStale('j', 4)).to.equal(true);
    expect(r.isStale('j', 5)).to.equal(true);
    expect(r.isStale('j', 6)).to.equal(false);
    // An unrefreshed search hit of the old version, seen not yet due, keeps it out of exclusion.
    t += 10;
    r.markStale('j', 4);
    expect(r.recentIds(3000, 10)).to.deep.equal([]);
    // Claimed again (or taken by someone else) at the put-back version: excluded as usual.
    r.markStale('j', 7);
    expect(r.recentIds(3000, 10)).to.deep.equal(['j']);
  });

  it('skips put-back entries while listing the others newest first', () => {
    let t = 0;
    const r = new RecentClaims(100, () => t);
    r.markStale('a', 1);
    t = 10;
    r.markStale('b', 1);
    t = 20;
    r.forget('b', 2);
    t = 30;
    r.markStale('c', 1);
    expect(r.recentIds(1000, 10)).to.deep.equal(['c', 'a']);
    r.forget('a');
    expect(r.recentIds(1000, 10)).to.deep.equal(['c']);
    expect(r.isStale('a', 1)).to.equal(false);
  });

  it('lists each id once at its latest mark, only the entries still held, through many re-marks', () => {
    let t = 0;
    const r = new RecentClaims(3, () => t);
    for (let i = 0; i < 500; i++) {
      t++;
      r.markStale(`j${i % 5}`, i);
    }
    // j0..j4 marked round-robin; the map keeps the 3 newest: j4 (t 500), j3, j2.
    expect(r.recentIds(10_000, 10)).to.deep.equal(['j4', 'j3', 'j2']);
    t++;
    r.markStale('j3', 1_000);
    expect(r.recentIds(10_000, 10)).to.deep.equal(['j3', 'j4', 'j2']);
    expect(r.recentIds(0, 10)).to.deep.equal(['j3']);
    r.forget('j4');
    expect(r.recentIds(10_000, 2)).to.deep.equal(['j3', 'j2']);
    expect(r.size).to.equal(2);
  });
});
