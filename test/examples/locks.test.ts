import { expect } from 'chai';
import { runExample } from './run-example.js';

describe('examples/locks', function () {
  this.timeout(60_000);

  it('keeps the guarded increments exact and fences off a stalled holder', async () => {
    const { code, out } = await runExample('examples/locks/main.ts');
    expect(out, out).to.include('ledger after 15 guarded increments: 150 (expected 150)');
    // Fences strictly increase across the 15 acquisitions.
    const fences = [...out.matchAll(/\(fence (\d+)\)/g)].map((m) => Number(m[1]));
    expect(fences.slice(0, 15)).to.deep.equal(Array.from({ length: 15 }, (_, i) => i + 1));
    expect(out).to.match(/instance a wakes up and writes: refused \(fence 16 is older than 17/);
    expect(out).to.include('release refused too');
    expect(out).to.include('final ledger: 151 (expected 151)');
    expect(code, out).to.equal(0);
  });
});
