import { expect } from 'chai';
import { startEngine, type StartedEngine } from '@esjobs/embedded';
import { createClient } from '../src/connection.js';

/**
 * patches/@elastic__transport@9.4.0.patch: the client's result objects share one `warnings` getter.
 * Upstream builds each result as a literal with a getter closure; V8 then gives every result a
 * hidden class of its own in the old generation, which kept each request's parsed response and
 * body alive through young-generation collections (a busy worker promoted most of them).
 */
describe('client results (patched @elastic/transport)', () => {
  let engine: StartedEngine;

  before(async () => {
    engine = await startEngine({ port: 0 });
  });
  after(async () => {
    await engine.close();
  });

  it('share one warnings getter, which still reads the Warning headers', async () => {
    const { client } = createClient({ es: { node: engine.url } }, {});
    try {
      const a = await client.info(undefined, { meta: true });
      const b = await client.indices.exists({ index: 'no-such-index' }, { meta: true });
      const getA = Object.getOwnPropertyDescriptor(a, 'warnings');
      const getB = Object.getOwnPropertyDescriptor(b, 'warnings');
      expect(getA?.get, 'an accessor').to.be.a('function');
      expect(getA?.get).to.equal(getB?.get);
      expect(getA?.enumerable).to.equal(true);
      expect(a.warnings).to.equal(null);

      const headers = a.headers as Record<string, unknown>;
      headers['warning'] = '299 Elasticsearch-9.0.0 "[x] is deprecated"';
      expect(a.warnings).to.deep.equal(['299 Elasticsearch-9.0.0 "[x] is deprecated"']);
      headers['warning'] = ['299 Elasticsearch-9.0.0 "one, with a comma"', '299 Elasticsearch-9.0.0 "two"', '199 agent "not ours"'];
      expect(a.warnings).to.deep.equal(['299 Elasticsearch-9.0.0 "one, with a comma"', '299 Elasticsearch-9.0.0 "two"']);
    } finally {
      await client.close();
    }
  });
});
