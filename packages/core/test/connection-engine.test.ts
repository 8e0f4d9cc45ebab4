import { expect } from 'chai';
import { startEngine, type StartedEngine } from '@esjobs/embedded';
import type { Client } from '@elastic/elasticsearch';
import { Client as Client8 } from 'es8';
import { AuthenticationError, ConnectionError } from '../src/errors.js';
import { checkConnection, createClient } from '../src/connection.js';
import { openBackend } from '../src/backend/open-backend.js';
import { teardown } from '../src/indices/bootstrap.js';

const PASSWORD = 'engine-s3cret';
const KEY = { id: 'k1', key: 'topsecretkey' };
const encodedKey = Buffer.from(`${KEY.id}:${KEY.key}`).toString('base64');

function assertNoSecrets(err: unknown): void {
  const text = `${(err as Error).message}`;
  for (const s of [PASSWORD, KEY.key, encodedKey]) expect(text).not.to.include(s);
}

describe('connection against the embedded engine with auth', () => {
  let engine: StartedEngine;

  before(async () => {
    engine = await startEngine({ port: 0, auth: { users: { app: PASSWORD }, apiKeys: [KEY] } });
  });
  after(async () => {
    await engine.close();
  });

  it('right credentials (basic, API key, both client majors) connect and report the version', async () => {
    for (const es of [
      { node: engine.url, username: 'app', password: PASSWORD },
      { node: engine.url, apiKey: encodedKey },
      { node: engine.url, apiKey: { id: KEY.id, api_key: KEY.key } },
    ]) {
      const { client } = createClient({ es }, {});
      try {
        const info = await checkConnection(client);
        expect(info.node).to.equal(engine.url);
        expect(info.version).to.match(/^8\./u);
      } finally {
        await client.close();
      }
    }
    const c8 = new Client8({ node: engine.url, auth: { apiKey: encodedKey } });
    try {
      expect((await checkConnection(c8 as unknown as Client)).version).to.match(/^8\./u);
      const bad8 = new Client8({ node: engine.url, auth: { username: 'app', password: 'nope' } });
      const err = await checkConnection(bad8 as unknown as Client).catch((e: unknown) => e);
      await bad8.close();
      expect(err).to.be.instanceOf(AuthenticationError);
    } finally {
      await c8.close();
    }
  });

  it('wrong password / unknown API key → AuthenticationError naming the URL, no secrets', async () => {
    for (const es of [
      { node: engine.url, username: 'app', password: `${PASSWORD}x` },
      { node: engine.url, apiKey: Buffer.from(`${KEY.id}:wrong-${KEY.key}`).toString('base64') },
      { node: engine.url },
    ]) {
      const { client } = createClient({ es }, {});
      try {
        const err = await checkConnection(client).catch((e: unknown) => e);
        expect(err, JSON.stringify(Object.keys(es))).to.be.instanceOf(AuthenticationError);
        expect((err as Error).message).to.include(`Elasticsearch at ${engine.url} rejected the credentials`);
        assertNoSecrets(err);
      } finally {
        await client.close();
      }
    }
  });

  it('openBackend: env credentials, check and bootstrap in one call; close leaves a user client open', async () => {
    const env = { ESJOBS_ES_URL: engine.url, ESJOBS_ES_USERNAME: 'app', ESJOBS_ES_PASSWORD: PASSWORD };
    const opened = await openBackend({ prefix: 'conn-engine' }, env);
    try {
      expect(opened.connection?.version).to.match(/^8\./u);
      expect(opened.bootstrap?.created).to.include('conn-engine-jobs');
      await teardown(opened.ctx);
    } finally {
      await opened.close();
    }
    const bad = await openBackend({ prefix: 'conn-engine' }, { ...env, ESJOBS_ES_PASSWORD: 'nope' }).catch((e: unknown) => e);
    expect(bad).to.be.instanceOf(AuthenticationError);
    const own = new Client8({ node: engine.url, auth: { username: 'app', password: PASSWORD } });
    try {
      const adopted = await openBackend({ es: own as unknown as Client, prefix: 'conn-own', bootstrap: false });
      await adopted.close();
      expect((await own.info()).cluster_name).to.be.a('string');
    } finally {
      await own.close();
    }
  });

  it('a stopped engine → ConnectionError saying unreachable at its URL', async () => {
    const other = await startEngine({ port: 0 });
    const url = other.url;
    await other.close();
    const withCreds = url.replace('http://', `http://app:${PASSWORD}@`);
    const err = await openBackend({ es: withCreds }, {}).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(ConnectionError);
    expect((err as Error).message).to.include(`unreachable at ${url}`);
    assertNoSecrets(err);
  });
});
