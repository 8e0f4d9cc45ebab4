import { expect } from 'chai';

describe('workspace', () => {
  it('resolves workspace packages from source', async () => {
    const core = await import('@esjobs/core');
    expect(core).to.be.an('object');
  });
});
