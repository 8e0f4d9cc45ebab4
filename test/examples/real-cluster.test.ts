/**
 * examples/real-cluster against the embedded engine started with API-key authentication, the
 * way it would run against a secured cluster: URL + API key from the environment.
 */
import { Client } from '@elastic/elasticsearch';
import { createBackendContext, teardown } from '@esjobs/core';
import { type StartedEngine, startEngine } from '@esjobs/embedded';
import { expect } from 'chai';
import { runExample } from './run-example.js';

const id = 'example-key';
const key = 'secret-example-value';
const encoded = Buffer.from(`${id}:${key}`).toString('base64');

describe('examples/real-cluster', function () {
  this.timeout(90_000);
  let engine: StartedEngine;

  before(async () => {
    engine = await startEngine({ port: 0, auth: { apiKeys: [{ id, key }] } });
  });
  after(async () => {
    await engine.close();
  });

  it('processes its jobs with URL + API key from the environment', async () => {
    const prefix = `rc-${process.pid}`;
    const { code, out } = await runExample('examples/real-cluster/main.ts', ['--keep'], { ESJOBS_ES_URL: engine.url, ESJOBS_ES_API_KEY: encoded, ESJOBS_PREFIX: prefix });
    expect(code, out).to.equal(0);
    expect(out).to.include('26/26 jobs completed');
    expect(out).not.to.include(encoded);
    // --keep left the jobs in place: read them back with the same key.
    const client = new Client({ node: engine.url, auth: { apiKey: encoded } });
    try {
      await client.indices.refresh({ index: `${prefix}-jobs` });
      const completed = await client.count({ index: `${prefix}-jobs`, query: { term: { state: 'completed' } } });
      expect(completed.count).to.equal(26);
      await teardown(createBackendContext({ client, prefix }));
    } finally {
      await client.close();
    }
  });

  it('says the credentials were rejected (exit 4) without printing the key', async () => {
    const wrong = Buffer.from(`${id}:wrong`).toString('base64');
    const { code, out } = await runExample('examples/real-cluster/main.ts', [], { ESJOBS_ES_URL: engine.url, ESJOBS_ES_API_KEY: wrong });
    expect(code, out).to.equal(4);
    expect(out).to.match(/rejected the credentials/);
    expect(out).not.to.include(wrong);
  });

  it('explains how to configure it when ESJOBS_ES_URL is missing (exit 2)', async () => {
    const { code, out } = await runExample('examples/real-cluster/main.ts');
    expect(code).to.equal(2);
    expect(out).to.include('set ESJOBS_ES_URL');
  });
});
