import { expect } from 'chai';
import { iso, jobDocumentJson, newJobDocument } from '../src/jobs/document.js';
import { validate } from '../src/jobs/options.js';
import { validatePayload } from '../src/payload.js';

const NOW = Date.parse('2026-01-01T00:00:00.000Z');

describe('job document serialization', () => {
  for (const payload of [{ a: 1, nested: { s: 'x"y\n', list: [1, null, true] } }, 'text', 42, null, [{ payload: null }]]) {
    it(`splices the validated payload JSON into the document (${JSON.stringify(payload)})`, () => {
      const doc = newJobDocument('job-1', 'send', payload, validate({ queue: 'q', jobId: 'job-1' }, NOW), NOW);
      const text = jobDocumentJson(doc, validatePayload(payload).json);
      expect(JSON.parse(text)).to.deep.equal(doc);
    });
  }
});

describe('iso', () => {
  it('formats every instant right when conversions repeat, alternate and change', () => {
    const seq = [NOW, NOW, NOW + 30_000, NOW, NOW + 30_000, NOW + 1, NOW + 1, NOW, 0, -1, NOW + 30_000];
    expect(seq.map(iso)).to.deep.equal(seq.map((ms) => new Date(ms).toISOString()));
    expect(() => iso(Number.NaN)).to.throw(RangeError);
  });
});
