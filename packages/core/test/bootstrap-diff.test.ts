import { expect } from 'chai';
import { diffMappings } from '../src/indices/mapping-diff.js';
import { indexDefinitions, templateDefinitions } from '../src/indices/registry.js';
import { indexNames } from '../src/indices/names.js';

const needed = {
  dynamic: 'strict',
  properties: {
    state: { type: 'keyword' },
    runAt: { type: 'date' },
    at: { type: 'date', format: 'epoch_millis' },
    payload: { type: 'object', enabled: false },
    lease: { properties: { owner: { type: 'keyword' }, expiresAt: { type: 'date' } } },
    lastError: { type: 'text', fields: { keyword: { type: 'keyword', ignore_above: 1024 } } },
  },
} as const;

describe('mapping diff', () => {
  it('an identical mapping (as Elasticsearch echoes it) has no differences', () => {
    const echoed = JSON.parse(JSON.stringify(needed)) as Record<string, unknown>;
    expect(diffMappings(needed, echoed)).to.deep.equal([]);
    // extra fields in the index are fine
    const extra = { ...echoed, properties: { ...(echoed.properties as object), other: { type: 'long' } } };
    expect(diffMappings(needed, extra)).to.deep.equal([]);
  });

  it('reports missing fields as additive', () => {
    const actual = { dynamic: 'strict', properties: { state: { type: 'keyword' }, runAt: { type: 'date' }, at: { type: 'date', format: 'epoch_millis' }, payload: { type: 'object', enabled: false }, lease: { properties: { owner: { type: 'keyword' } } }, lastError: { type: 'text' } } };
    const d = diffMappings(needed, actual);
    expect(d.map((x) => [x.path, x.kind])).to.deep.equal([
      ['lease.expiresAt', 'missing'],
      ['lastError.keyword', 'missing'],
    ]);
  });

  it('names each incompatible field with what it is and what esjobs needs', () => {
    const actual = {
      dynamic: 'true',
      properties: {
        state: { type: 'text' },
        runAt: { type: 'date' },
        at: { type: 'date' },
        payload: { properties: { x: { type: 'long' } } },
        lease: { type: 'keyword' },
        lastError: { type: 'text', fields: { keyword: { type: 'keyword' } } },
      },
    };
    const d = diffMappings(needed, actual);
    const byPath = new Map(d.map((x) => [x.path, x]));
    expect(byPath.get('(root)')?.kind).to.equal('missing');
    expect(byPath.get('state')).to.deep.equal({ path: 'state', kind: 'conflict', description: 'field [state] is of type [text], esjobs needs [keyword]' });
    expect(byPath.get('at')?.description).to.equal('field [at] has format [(default)], esjobs needs [epoch_millis]');
    expect(byPath.get('payload')?.description).to.equal('field [payload] has enabled [(default)], esjobs needs [false]');
    expect(byPath.get('lease')?.description).to.equal('field [lease] is of type [keyword], esjobs needs [object]');
    expect(byPath.has('runAt')).to.equal(false);
  });

  it('a missing index mapping means every field is missing', () => {
    expect(diffMappings(needed, undefined).filter((x) => x.kind === 'conflict')).to.deep.equal([]);
  });

  it('the registry covers every index in DESIGN.md with strict mappings', () => {
    const names = indexNames('reg');
    expect(indexDefinitions.map((d) => d.index(names))).to.have.members(['reg-jobs', 'reg-locks', 'reg-schedules', 'reg-workers', 'reg-events', 'reg-queues']);
    for (const d of indexDefinitions) expect(d.mappings.dynamic, d.key).to.equal('strict');
    expect(templateDefinitions.map((t) => t.pattern(names))).to.deep.equal(['reg-dead-*']);
    expect(templateDefinitions[0]?.mappings.dynamic).to.equal('strict');
  });
});
