import { expect } from 'chai';
import { engineCall } from './engine-call.js';
import { Engine } from '../src/engine.js';
import { SearchIndex } from '../src/search/search-index.js';

/**
 * Refresh re-indexes only the fields an update changed, per-value sort orders are built only for
 * the values searches ask for, and inverted indexes only for the fields queries ask for. Both are checked here against a brute-force answer computed
 * from the documents themselves, through the real store (Engine.handle), over many rounds of
 * partial updates, deletes and re-creations — the churn of a job queue.
 */
describe('search: results stay exact across refreshes of partial updates', () => {
  let engine: Engine;

  const call = engineCall(() => engine);

  interface Doc {
    jobId: string;
    state: string;
    priority: number;
    tags: string[];
    lease: { owner: string } | null;
  }

  // A seeded generator: a failure can be replayed.
  let seed = 12345;
  const rand = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  const states = ['queued', 'active', 'completed', 'failed'];
  const tagPool = ['a', 'b', 'c', 'd'];

  beforeEach(async () => {
    engine = new Engine();
    const created = await call('PUT', '/rd-jobs', {
      mappings: {
        dynamic: 'strict',
        properties: {
          jobId: { type: 'keyword' },
          state: { type: 'keyword' },
          priority: { type: 'integer' },
          tags: { type: 'keyword' },
          lease: { properties: { owner: { type: 'keyword' } } },
        },
      },
    });
    expect(created.status, JSON.stringify(created.body)).to.equal(200);
  });

  afterEach(async () => {
    await engine.close();
  });

  it('term, terms and multi-valued filters, sorted, after every refresh', async () => {
    const docs = new Map<string, Doc>();
    const n = 5000; // above the sizes where searches walk cached orders
    const lines: string[] = [];
    for (let i = 0; i < n; i++) {
      const d: Doc = { jobId: `j${String(i).padStart(5, '0')}`, state: states[rand(2)] ?? 'queued', priority: rand(5), tags: [tagPool[rand(4)] ?? 'a'], lease: null };
      docs.set(d.jobId, d);
      lines.push(JSON.stringify({ index: { _id: d.jobId } }), JSON.stringify(d));
    }
    expect((await call('POST', '/rd-jobs/_bulk', `${lines.join('\n')}\n`, { refresh: 'true' })).body.errors).to.equal(false);

    const sort = [{ priority: 'desc' }, { jobId: 'asc' }];
    const expected = (pred: (d: Doc) => boolean, size: number): string[] =>
      [...docs.values()]
        .filter(pred)
        .sort((a, b) => b.priority - a.priority || (a.jobId < b.jobId ? -1 : 1))
        .slice(0, size)
        .map((d) => d.jobId);
    const search = async (query: unknown, size: number): Promise<string[]> => {
      const r = await call('POST', '/rd-jobs/_search', { query, sort, size, track_total_hits: false, _source: false });
      expect(r.status, JSON.stringify(r.body)).to.equal(200);
      return ((r.body['hits'] as { hits: { _id: string }[] }).hits ?? []).map((h) => h._id);
    };
    const count = async (query: unknown): Promise<number> => {
      const r = await call('POST', '/rd-jobs/_count', { query });
      return r.body['count'] as number;
    };

    for (let round = 0; round < 12; round++) {
      // Churn: mostly partial updates of a few fields, some deletes and re-creations.
      const ops: string[] = [];
      for (let k = 0; k < 400; k++) {
        const id = `j${String(rand(n)).padStart(5, '0')}`;
        const cur = docs.get(id);
        const r = rand(10);
        if (cur !== undefined && r < 7) {
          const change: Partial<Doc> = { state: states[rand(4)] ?? 'queued' };
          if (r < 3) change.priority = rand(5);
          if (r === 3) change.tags = [tagPool[rand(4)] ?? 'a', tagPool[rand(4)] ?? 'b'];
          if (r === 4) change.lease = change.state === 'active' ? { owner: `w${rand(3)}` } : null;
          docs.set(id, { ...cur, ...change });
          ops.push(JSON.stringify({ update: { _id: id } }), JSON.stringify({ doc: change }));
        } else if (cur !== undefined && r < 9) {
          docs.delete(id);
          ops.push(JSON.stringify({ delete: { _id: id } }));
        } else {
          const d: Doc = { jobId: id, state: 'queued', priority: rand(5), tags: [], lease: null };
          docs.set(id, d);
          ops.push(JSON.stringify({ index: { _id: id } }), JSON.stringify(d));
        }
      }
      const bulk = await call('POST', '/rd-jobs/_bulk', `${ops.join('\n')}\n`, { refresh: 'true' });
      expect(bulk.body.errors, JSON.stringify(bulk.body).slice(0, 500)).to.equal(false);

      // The claim shape first only in later rounds, so some values' orders are built late.
      if (round >= 4) expect(await search({ bool: { filter: [{ term: { state: 'failed' } }] } }, 40)).to.deep.equal(expected((d) => d.state === 'failed', 40));
      expect(await search({ bool: { filter: [{ term: { state: 'queued' } }] } }, 60)).to.deep.equal(expected((d) => d.state === 'queued', 60));
      expect(await search({ bool: { filter: [{ terms: { state: ['active', 'completed'] } }] } }, 60)).to.deep.equal(
        expected((d) => d.state === 'active' || d.state === 'completed', 60),
      );
      expect(await search({ bool: { filter: [{ terms: { tags: ['b', 'c'] } }] } }, 50)).to.deep.equal(expected((d) => d.tags.includes('b') || d.tags.includes('c'), 50));
      // Postings (not the sort caches) answer counts: they must follow the changed fields too.
      expect(await count({ term: { state: 'queued' } })).to.equal([...docs.values()].filter((d) => d.state === 'queued').length);
      expect(await count({ term: { tags: 'a' } })).to.equal([...docs.values()].filter((d) => d.tags.includes('a')).length);
      expect(await count({ exists: { field: 'lease.owner' } })).to.equal([...docs.values()].filter((d) => d.lease !== null).length);
      expect(await count({ term: { 'lease.owner': 'w1' } })).to.equal([...docs.values()].filter((d) => d.lease?.owner === 'w1').length);
      expect(await count({ match_all: {} })).to.equal(docs.size);
      // Searches re-check every candidate, so stale postings would only show as wasted work (and
      // memory); read them directly.
      const side = engine.resolve('rd-jobs')[0]?.searchSide;
      if (!(side instanceof SearchIndex)) throw new Error('expected the engine to use SearchIndex');
      const all = [...docs.values()];
      for (const st of states) expect(side.postingsFor('state', st)?.size ?? 0, `state ${st}`).to.equal(all.filter((d) => d.state === st).length);
      for (const t of tagPool) expect(side.postingsFor('tags', t)?.size ?? 0, `tag ${t}`).to.equal(all.filter((d) => d.tags.includes(t)).length);
      for (const w of ['w0', 'w1', 'w2']) expect(side.postingsFor('lease.owner', w)?.size ?? 0, `owner ${w}`).to.equal(all.filter((d) => d.lease?.owner === w).length);
      expect(side.fieldStats('lease.owner').docs).to.equal(all.filter((d) => d.lease !== null).length);
      expect(side.fieldStats('tags').terms).to.equal(all.reduce((n, d) => n + d.tags.length, 0));
      // A field's inverted index exists only once a query asks for it (priority from round 6,
      // jobId prefixes from round 9): built from the documents as they are then, kept current after.
      if (round >= 6) {
        for (const p of [0, 3]) expect(await count({ term: { priority: p } }), `priority ${p}`).to.equal(all.filter((d) => d.priority === p).length);
        for (const p of [0, 1, 2, 3, 4]) expect(side.postingsFor('priority', p)?.size ?? 0, `priority postings ${p}`).to.equal(all.filter((d) => d.priority === p).length);
      }
      if (round >= 9) expect(await count({ prefix: { jobId: 'j01' } })).to.equal(all.filter((d) => d.jobId.startsWith('j01')).length);
    }
  });

  it('a partial update indexes the same values as the whole document indexed afresh', async () => {
    // An update's merged document is indexed as a whole: a copy of it indexed from scratch must
    // match the same queries after every kind of update (dotted keys, new dynamic fields,
    // mappings added since the previous version).
    expect(
      (await call('PUT', '/pu', {
          mappings: {
            properties: { name: { type: 'text', fields: { raw: { type: 'keyword' } } }, lease: { properties: { owner: { type: 'keyword' } } }, n: { type: 'integer' }, meta: { type: 'object', dynamic: false } },
          },
        })).status,
    ).to.equal(200);
    const queries: Record<string, unknown> = {
      w1: { term: { 'lease.owner': 'w1' } },
      w2: { term: { 'lease.owner': 'w2' } },
      w3: { term: { 'lease.owner': 'w3' } },
      w4: { term: { 'lease.owner': 'w4' } },
      leased: { exists: { field: 'lease.owner' } },
      alpha: { match: { name: 'alpha' } },
      raw: { term: { 'name.raw': 'Alpha Beta' } },
      kw2: { term: { 'name.kw2': 'Alpha Beta' } },
      tagY: { term: { 'tags.keyword': 'y' } },
      n1: { term: { n: 1 } },
      n2: { term: { n: 2 } },
      extra: { term: { 'extra.keyword': 'new' } },
      metaZ: { term: { 'meta.z': 'zz' } },
    };
    const matching = async (): Promise<{ updated: string[]; fresh: string[] }> => {
      const updated: string[] = [];
      const fresh: string[] = [];
      for (const [name, query] of Object.entries(queries)) {
        const r = await call('POST', '/pu/_search', { query, _source: false });
        const ids = ((r.body['hits'] as { hits: { _id: string }[] } | undefined)?.hits ?? []).map((h) => h._id);
        if (ids.includes('1')) updated.push(name);
        if (ids.includes('2')) fresh.push(name);
      }
      return { updated, fresh };
    };
    const step = async (doc: Record<string, unknown>): Promise<string[]> => {
      const u = await call('POST', '/pu/_update/1', { doc }, { refresh: 'true' });
      expect(u.status, JSON.stringify(u.body)).to.equal(200);
      const source = (await call('GET', '/pu/_doc/1')).body['_source'];
      expect((await call('PUT', '/pu/_doc/2', source, { refresh: 'true' })).status).to.be.oneOf([200, 201]);
      const m = await matching();
      expect(m.updated, `after ${JSON.stringify(doc)}`).to.deep.equal(m.fresh);
      return m.updated;
    };
    expect((await call('PUT', '/pu/_doc/1', { name: 'Alpha Beta', lease: { owner: 'w1' }, n: 1, tags: ['x', 'y'], meta: { z: 'zz' } }, { refresh: 'true' })).status).to.equal(201);
    expect(await step({ lease: { owner: 'w2' } })).to.deep.equal(['w2', 'leased', 'alpha', 'raw', 'tagY', 'n1']);
    // a new field (dynamic mapping) in the update
    expect(await step({ extra: 'new', n: 2 })).to.deep.equal(['w2', 'leased', 'alpha', 'raw', 'tagY', 'n2', 'extra']);
    // mappings added between two versions (a multi-field; a field the document had but nothing
    // mapped): the update indexes the untouched keys with them, as a fresh copy is
    expect((await call('PUT', '/pu/_mapping', { properties: { name: { type: 'text', fields: { raw: { type: 'keyword' }, kw2: { type: 'keyword' } } }, meta: { properties: { z: { type: 'keyword' } } } } })).status).to.equal(200);
    expect(await step({ n: 1 })).to.deep.equal(['w2', 'leased', 'alpha', 'raw', 'kw2', 'tagY', 'n1', 'extra', 'metaZ']);
    // values under the updated keys only change: an array shrinks, an object goes and comes back
    // (the other keys' values are the previous version's, see Mapping.parseDocument)
    expect(await step({ tags: ['x'] })).to.deep.equal(['w2', 'leased', 'alpha', 'raw', 'kw2', 'n1', 'extra', 'metaZ']);
    expect(await step({ tags: ['x', 'y'], lease: null })).to.deep.equal(['alpha', 'raw', 'kw2', 'tagY', 'n1', 'extra', 'metaZ']);
    expect(await step({ lease: { owner: 'w2' } })).to.deep.equal(['w2', 'leased', 'alpha', 'raw', 'kw2', 'tagY', 'n1', 'extra', 'metaZ']);
    // a dotted key beside the object it points into
    expect(await step({ 'lease.owner': 'w3' })).to.include.members(['w3', 'leased', 'alpha']);
    // then the object alone: the dotted key's value still counts for `lease.owner`
    expect(await step({ lease: { owner: 'w4' } })).to.include.members(['w3', 'w4', 'leased']);
    expect(await step({ lease: null, 'lease.owner': null })).to.deep.equal(['alpha', 'raw', 'kw2', 'tagY', 'n1', 'extra', 'metaZ']);
  });

  it('a refresh that only takes entries out of cached orders leaves them exact', async () => {
    // Removals alone compact a cached order in place instead of merging: a per-value list
    // (term filter) and a whole-index order (match_all), each beyond the in-place patch size.
    const n = 6000;
    const lines: string[] = [];
    for (let i = 0; i < n; i++) lines.push(JSON.stringify({ index: { _id: `d${i}` } }), JSON.stringify({ jobId: `d${String(i).padStart(5, '0')}`, state: 'queued', priority: i % 7, tags: [], lease: null }));
    expect((await call('POST', '/rd-jobs/_bulk', `${lines.join('\n')}\n`, { refresh: 'true' })).body.errors).to.equal(false);
    const ids = async (query: unknown): Promise<string[]> => {
      const r = await call('POST', '/rd-jobs/_search', { query, sort: [{ priority: 'desc' }, { jobId: 'asc' }], size: n, track_total_hits: false, _source: false });
      return ((r.body['hits'] as { hits: { _id: string }[] }).hits ?? []).map((h) => h._id);
    };
    const queued = { bool: { filter: [{ term: { state: 'queued' } }] } };
    const before = await ids(queued);
    expect(before).to.have.length(n);
    expect(await ids({ match_all: {} })).to.deep.equal(before);
    // 400 leave `queued` (none enter it), then 500 are deleted
    const moved = new Set(Array.from({ length: 400 }, (_, k) => `d${k * 13}`));
    const ops = [...moved].flatMap((id) => [JSON.stringify({ update: { _id: id } }), JSON.stringify({ doc: { state: 'active' } })]);
    expect((await call('POST', '/rd-jobs/_bulk', `${ops.join('\n')}\n`, { refresh: 'true' })).body.errors).to.equal(false);
    expect(await ids(queued)).to.deep.equal(before.filter((id) => !moved.has(id)));
    expect(await ids({ match_all: {} })).to.deep.equal(before);
    const deleted = new Set(Array.from({ length: 500 }, (_, k) => `d${k * 11 + 1}`));
    const dels = [...deleted].map((id) => JSON.stringify({ delete: { _id: id } }));
    expect((await call('POST', '/rd-jobs/_bulk', `${dels.join('\n')}\n`, { refresh: 'true' })).body.errors).to.equal(false);
    expect(await ids(queued)).to.deep.equal(before.filter((id) => !moved.has(id) && !deleted.has(id)));
    expect(await ids({ match_all: {} })).to.deep.equal(before.filter((id) => !deleted.has(id)));
  });
});
