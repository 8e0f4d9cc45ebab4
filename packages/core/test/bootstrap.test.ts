import { expect } from 'chai';
import type { Client } from '@elastic/elasticsearch';
import { createBackendContext } from '../src/backend/create-context.js';
import type { BackendContext } from '../src/backend/context.js';
import { MappingError, ValidationError } from '../src/errors.js';
import { bootstrap, teardown } from '../src/indices/bootstrap.js';
import { indexDefinitions } from '../src/indices/registry.js';
import { forEachTarget } from '../../../test/support/targets.js';
import { uniquePrefix } from '../../../test/support/prefix.js';

async function mappingOf(client: Client, index: string): Promise<Record<string, unknown>> {
  const res = (await client.indices.getMapping({ index })) as Record<string, { mappings: Record<string, unknown> }>;
  const entry = res[index];
  if (entry === undefined) throw new Error(`no mapping for ${index}`);
  return entry.mappings;
}

forEachTarget((target) => {
  let prefix = '';
  let ctx: BackendContext;

  beforeEach(() => {
    prefix = uniquePrefix('boot');
    ctx = createBackendContext({ client: target.client(), prefix });
  });

  it('creates every index and the dead-letter template, then is a no-op', async () => {
    const first = await bootstrap(ctx);
    const expected = indexDefinitions.map((d) => d.index(ctx.names));
    expect(first.created).to.have.members(expected);
    expect(first.templates).to.deep.equal([`${prefix}-dead`]);
    for (const index of expected) expect(await ctx.client.indices.exists({ index }), index).to.equal(true);
    const jobs = await mappingOf(ctx.client, ctx.names.jobs);
    expect(String(jobs.dynamic)).to.equal('strict');

    const second = await bootstrap(ctx);
    expect(second.created).to.deep.equal([]);
    expect(second.existing).to.have.members(expected);
    expect(second.updated).to.deep.equal([]);
    expect(second.templates).to.deep.equal([]);
  });

  it('20 processes bootstrapping at once all succeed (separate clients, 8.x and 9.x)', async () => {
    const contexts = Array.from({ length: 20 }, (_, i) =>
      createBackendContext({ client: i % 2 === 0 ? target.client() : (target.client8() as unknown as Client), prefix }),
    );
    const results = await Promise.allSettled(contexts.map((c) => bootstrap(c)));
    const failures = results.filter((r) => r.status === 'rejected');
    expect(failures.map((f) => String((f as PromiseRejectedResult).reason))).to.deep.equal([]);
    const created = results.flatMap((r) => (r.status === 'fulfilled' ? r.value.created : []));
    // each index created exactly once across all racers
    expect([...created].sort()).to.deep.equal(indexDefinitions.map((d) => d.index(ctx.names)).sort());
    for (const d of indexDefinitions) {
      const m = await mappingOf(ctx.client, d.index(ctx.names));
      expect(String(m.dynamic), d.key).to.equal('strict');
    }
  });

  it('dead-letter indices appear on demand with the template mapping', async () => {
    await bootstrap(ctx);
    const dead = ctx.names.dead('emails');
    await ctx.client.index({ index: dead, id: 'j1', document: { jobId: 'j1', queue: 'emails', lastError: 'boom' }, refresh: true });
    const m = await mappingOf(ctx.client, dead);
    expect(String(m.dynamic)).to.equal('strict');
    const props = m.properties as Record<string, { type?: string }>;
    expect(props.jobId?.type).to.equal('keyword');
    // strict: a stray field is refused, and the error maps to MappingError
    const err = await ctx
      .request('dead-write', () => ctx.client.index({ index: dead, id: 'j2', document: { jobId: 'j2', bogus: 1 } }))
      .catch((e: unknown) => e);
    expect(err).to.be.instanceOf(MappingError);
    expect((err as Error).message).to.include('bogus');
    // a later bootstrap verifies the existing dead index too
    expect((await bootstrap(ctx)).existing).to.include(ctx.names.jobs);
  });

  it('an incompatible existing index is reported with the field name, and nothing is changed', async () => {
    await ctx.client.indices.create({
      index: ctx.names.jobs,
      mappings: { properties: { state: { type: 'text' }, priority: { type: 'keyword' } } },
    });
    const err = await bootstrap(ctx).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(MappingError);
    const me = err as MappingError;
    expect(me.code).to.equal('ESJOBS_MAPPING');
    expect(me.index).to.equal(ctx.names.jobs);
    expect(me.fields).to.include.members(['state', 'priority']);
    expect(me.message).to.include(`index [${ctx.names.jobs}]`);
    expect(me.message).to.include('field [state] is of type [text], esjobs needs [keyword]');
    expect(me.message).to.include('field [priority] is of type [keyword], esjobs needs [integer]');
    const after = await mappingOf(ctx.client, ctx.names.jobs);
    expect((after.properties as Record<string, { type: string }>).state?.type).to.equal('text');
  });

  it('an incompatible dead-letter index created earlier is reported too', async () => {
    await ctx.client.indices.create({ index: ctx.names.dead('old'), mappings: { properties: { lastError: { type: 'keyword' } } } });
    const err = await bootstrap(ctx).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(MappingError);
    expect((err as MappingError).message).to.include(`index [${ctx.names.dead('old')}]: field [lastError] is of type [keyword], esjobs needs [text]`);
  });

  it('missing fields in an existing index are added in place', async () => {
    await ctx.client.indices.create({
      index: ctx.names.locks,
      mappings: { dynamic: 'strict', properties: { resource: { type: 'keyword' }, owner: { type: 'keyword' } } },
    });
    const res = await bootstrap(ctx);
    expect(res.updated).to.include(ctx.names.locks);
    const m = await mappingOf(ctx.client, ctx.names.locks);
    expect(Object.keys(m.properties as object)).to.include.members(['resource', 'owner', 'fence', 'expiresAt']);
    expect((await bootstrap(ctx)).existing).to.include(ctx.names.locks);
  });

  it('teardown removes the indices and the template', async () => {
    await bootstrap(ctx);
    await ctx.client.index({ index: ctx.names.dead('q'), id: 'x', document: { jobId: 'x' } });
    const deleted = await teardown(ctx);
    expect(deleted).to.include.members([ctx.names.jobs, ctx.names.dead('q')]);
    expect(await ctx.client.indices.exists({ index: ctx.names.jobs })).to.equal(false);
    const again = await bootstrap(ctx);
    expect(again.templates).to.deep.equal([`${prefix}-dead`]);
  });

  it('a bad prefix is rejected before any request', () => {
    expect(() => createBackendContext({ client: target.client(), prefix: 'Bad,Prefix' })).to.throw(ValidationError, 'prefix');
  });
});
