import { expect } from 'chai';
import { PARTITIONS, partitionOf, partitionRange } from '../src/jobs/partition.js';
import { ClaimCursor } from '../src/jobs/claim-cursor.js';
import { newJobDocument } from '../src/jobs/document.js';
import { withDefaults } from '../src/jobs/options.js';

describe('jobs: claim partitions', () => {
  it('hashes ids stably into [0, PARTITIONS), spreading random ids evenly', () => {
    expect(partitionOf('a')).to.equal(partitionOf('a'));
    // FNV-1a of "a" is 0xe40c292c: pinned so every process and version agrees.
    expect(partitionOf('a')).to.equal(0xe40c292c % PARTITIONS);
    const counts = new Array<number>(8).fill(0);
    for (let i = 0; i < 8000; i++) {
      const p = partitionOf(`job-${i}-${(i * 7919).toString(36)}`);
      expect(p).to.be.within(0, PARTITIONS - 1);
      counts[Math.floor((p * 8) / PARTITIONS)] = (counts[Math.floor((p * 8) / PARTITIONS)] ?? 0) + 1;
    }
    for (const c of counts) expect(c).to.be.within(800, 1200);
  });

  it('gives N claimers disjoint ranges that cover every partition', () => {
    expect(partitionRange(undefined)).to.equal(undefined);
    expect(partitionRange({ rank: 0, of: 1 })).to.equal(undefined);
    for (const of of [2, 3, 7, 8, 1000, 5000]) {
      let next = 0;
      for (let rank = 0; rank < Math.min(of, PARTITIONS); rank++) {
        const r = partitionRange({ rank, of });
        expect(r?.from).to.equal(next);
        next = r?.to ?? -1;
      }
      expect(next).to.equal(PARTITIONS);
    }
  });

  it('new job documents carry the partition of their id', () => {
    const doc = newJobDocument('invoice-42', 'send', null, withDefaults({}, 0), 0);
    expect(doc.partition).to.equal(partitionOf('invoice-42'));
  });
});

describe('jobs: claim cursor', () => {
  it('continues per search shape, and goes back to the head after its max age or a reset', () => {
    let now = 1_000;
    const c = new ClaimCursor(1_000, () => now);
    expect(c.after('q')).to.equal(undefined);
    c.advance('q', [0, 10, 'a']);
    expect(c.after('q')).to.deep.equal([0, 10, 'a']);
    expect(c.after('other')).to.equal(undefined);
    now += 600;
    c.advance('q', [0, 20, 'b']);
    expect(c.after('q')).to.deep.equal([0, 20, 'b']);
    // The age counts from when the sweep left the head, not from the last step.
    now += 500;
    expect(c.after('q')).to.equal(undefined);
    c.advance('q', [0, 30, 'c']);
    c.reset('q');
    expect(c.after('q')).to.equal(undefined);
  });

  it('with max age 0 always starts at the head', () => {
    const c = new ClaimCursor(0, () => 5);
    c.advance('q', [1]);
    expect(c.after('q')).to.equal(undefined);
  });
});
