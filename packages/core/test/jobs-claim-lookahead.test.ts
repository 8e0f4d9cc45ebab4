import { expect } from 'chai';
import type { estypes } from '@elastic/elasticsearch';
import { ClaimLookahead } from '../src/jobs/claim-lookahead.js';

const result = (n: number): estypes.SearchResponse<unknown> => ({ took: n, timed_out: false, _shards: { total: 1, successful: 1, failed: 0 }, hits: { hits: [] } });

describe('ClaimLookahead', () => {
  it('hands a prefetch only to the next claim of the same shape and cursor, asking no more, in time', async () => {
    let now = 1_000;
    const la = new ClaimLookahead(500, () => now);
    la.start('q', [0, 5, 'a'], 20, () => Promise.resolve(result(1)));
    expect((await la.take('q', [0, 5, 'a'], 20))?.took).to.equal(1);
    // consumed
    expect(la.take('q', [0, 5, 'a'], 20)).to.equal(undefined);
    la.start('q', [0, 5, 'a'], 20, () => Promise.resolve(result(2)));
    expect(la.take('other', [0, 5, 'a'], 20), 'other shape').to.equal(undefined);
    expect(la.take('q', [0, 5, 'a'], 20), 'dropped by the mismatch').to.equal(undefined);
    la.start('q', [0, 5, 'a'], 20, () => Promise.resolve(result(3)));
    expect(la.take('q', [0, 6, 'a'], 20), 'cursor moved').to.equal(undefined);
    la.start('q', [0, 5, 'a'], 20, () => Promise.resolve(result(4)));
    expect(la.take('q', [0, 5, 'a'], 21), 'asks for more').to.equal(undefined);
    la.start('q', [0, 5, 'a'], 20, () => Promise.resolve(result(5)));
    expect((await la.take('q', [0, 5, 'a'], 8))?.took, 'asks for fewer').to.equal(5);
    la.start('q', [0, 5, 'a'], 20, () => Promise.resolve(result(6)));
    now += 501;
    expect(la.take('q', [0, 5, 'a'], 20), 'too old').to.equal(undefined);
  });

  it('a failed prefetch yields undefined (the claim searches as usual), never a rejection', async () => {
    const la = new ClaimLookahead();
    la.start('q', [1], 10, () => Promise.reject(new Error('429')));
    expect(await la.take('q', [1], 10)).to.equal(undefined);
  });
});
