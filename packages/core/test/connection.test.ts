import { expect } from 'chai';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@elastic/elasticsearch';
import { Client as Client8 } from 'es8';
import { AuthenticationError, ConnectionError, ValidationError } from '../src/errors.js';
import { checkConnection, createClient, resolveConnection } from '../src/connection.js';
import { createBackendContext } from '../src/backend/create-context.js';

const SECRET = 's3cr3t-pw';
const API_KEY = 'c2VjcmV0LWFwaS1rZXk=';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

async function serve(handler: Handler): Promise<{ url: string; server: Server }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, server };
}

async function stop(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/** A stand-in for GET / of an Elasticsearch node that requires basic auth `app:<SECRET>`. */
const esLike: Handler = (req, res) => {
  const expected = `Basic ${Buffer.from(`app:${SECRET}`).toString('base64')}`;
  res.setHeader('X-Elastic-Product', 'Elasticsearch');
  res.setHeader('content-type', 'application/json');
  if (req.headers.authorization !== expected) {
    res.statusCode = 401;
    res.setHeader('WWW-Authenticate', 'Basic realm="security" charset="UTF-8"');
    res.end(
      JSON.stringify({
        error: {
          root_cause: [{ type: 'security_exception', reason: 'unable to authenticate user [app] for REST request [/]' }],
          type: 'security_exception',
          reason: 'unable to authenticate user [app] for REST request [/]',
        },
        status: 401,
      }),
    );
    return;
  }
  res.end(JSON.stringify({ name: 'n1', cluster_name: 'test-cluster', version: { number: '8.15.0', build_flavor: 'default' }, tagline: 'You Know, for Search' }));
};

function assertNoSecrets(err: unknown): void {
  const text = `${(err as Error).message} ${JSON.stringify((err as ValidationError).value ?? '')}`;
  for (const s of [SECRET, API_KEY, 'app:']) expect(text).not.to.include(s);
}

async function closedPortUrl(): Promise<string> {
  const { url, server } = await serve(() => undefined);
  await stop(server);
  return url;
}

describe('connection', () => {
  describe('resolveConnection', () => {
    it('takes a URL string, options, or env vars, options winning', () => {
      const a = resolveConnection('http://localhost:9200', {});
      expect(a.kind).to.equal('options');
      const env = { ESJOBS_ES_URL: 'https://es.example:9243', ESJOBS_ES_API_KEY: API_KEY };
      const b = resolveConnection(undefined, env);
      if (b.kind !== 'options') return expect.fail('options');
      expect(b.clientOptions.node).to.equal('https://es.example:9243');
      expect(b.clientOptions.auth).to.deep.equal({ apiKey: API_KEY });
      const c = resolveConnection({ node: 'http://other:9200' }, env);
      if (c.kind !== 'options') return expect.fail('options');
      expect(c.clientOptions.node).to.equal('http://other:9200');
      const d = resolveConnection(undefined, { ESJOBS_ES_URL: 'http://h:9200', ESJOBS_ES_USERNAME: 'u', ESJOBS_ES_PASSWORD: 'p', ESJOBS_ES_CA_FINGERPRINT: 'ab'.repeat(32) });
      if (d.kind !== 'options') return expect.fail('options');
      expect(d.clientOptions.auth).to.deep.equal({ username: 'u', password: 'p' });
      expect(d.clientOptions.caFingerprint).to.equal('AB'.repeat(32));
      const multi = resolveConnection(undefined, { ESJOBS_ES_URL: 'http://a:9200, http://b:9200' });
      if (multi.kind !== 'options') return expect.fail('options');
      expect(multi.clientOptions.node).to.deep.equal(['http://a:9200', 'http://b:9200']);
      expect(multi.node).to.equal('http://a:9200');
      const e = resolveConnection({ node: 'http://h:9200', bearer: 'tok', tls: { rejectUnauthorized: false } }, {});
      if (e.kind !== 'options') return expect.fail('options');
      expect(e.clientOptions.auth).to.deep.equal({ bearer: 'tok' });
      expect(e.clientOptions.tls).to.deep.equal({ rejectUnauthorized: false });
    });

    it('reads the CA file', () => {
      const dir = mkdtempSync(join(tmpdir(), 'esjobs-ca-'));
      try {
        const file = join(dir, 'ca.pem');
        writeFileSync(file, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
        const r = resolveConnection(undefined, { ESJOBS_ES_URL: 'https://h:9200', ESJOBS_ES_CA_FILE: file });
        if (r.kind !== 'options') return expect.fail('options');
        expect(String(r.clientOptions.tls?.ca)).to.include('BEGIN CERTIFICATE');
        expect(() => resolveConnection({ node: 'https://h:9200', caFile: join(dir, 'nope.pem') }, {})).to.throw(ValidationError, 'ENOENT');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('rejects unusable configurations naming the field, without echoing secrets', () => {
      const cases: [unknown, Record<string, string>, string][] = [
        [undefined, {}, 'ESJOBS_ES_URL'],
        ['not a url', {}, 'es.node'],
        ['ftp://h', {}, 'http: or https:'],
        [{ node: 'http://h', apiKey: API_KEY, username: 'app', password: SECRET }, {}, 'one authentication method'],
        [{ node: 'http://h', username: 'app' }, {}, 'es.password'],
        [{ node: 'http://h', password: SECRET }, {}, 'es.username'],
        [{ node: 'http://h', apiKey: '' }, {}, 'es.apiKey'],
        [{ node: 'http://h', caFingerprint: 'zz' }, {}, 'es.caFingerprint'],
        [{ node: 'http://h', tls: { rejectUnauthorized: 'no' } }, {}, 'es.tls.rejectUnauthorized'],
        [{ node: 'http://h', passwrd: SECRET }, {}, 'es.passwrd'],
        [{ node: 'http://h', maxRetries: -1 }, {}, 'es.maxRetries'],
        [42, {}, 'es'],
      ];
      for (const [es, env, fragment] of cases) {
        let thrown: unknown;
        try {
          resolveConnection(es, env);
        } catch (err) {
          thrown = err;
        }
        expect(thrown, fragment).to.be.instanceOf(ValidationError);
        expect((thrown as Error).message, fragment).to.include(fragment);
        assertNoSecrets(thrown);
      }
    });

    it('adopts a user client of either major version, never owning it', async () => {
      const c9 = new Client({ node: 'http://127.0.0.1:9' });
      const c8 = new Client8({ node: 'http://127.0.0.1:9' });
      try {
        for (const c of [c9, c8]) {
          const created = createClient({ es: c as unknown as Client });
          expect(created.client).to.equal(c);
          expect(created.owned).to.equal(false);
          expect(created.node).to.equal('http://127.0.0.1:9');
          // a backend context accepts it too
          expect(createBackendContext({ client: c as unknown as Client, prefix: 'conn-test' }).client).to.equal(c);
        }
      } finally {
        await Promise.all([c9.close(), c8.close()]);
      }
    });
  });

  describe('checkConnection', () => {
    let server: Server | undefined;
    afterEach(async () => {
      if (server !== undefined) await stop(server);
      server = undefined;
    });

    it('an unreachable cluster → ConnectionError naming the URL without credentials (both clients)', async () => {
      const url = await closedPortUrl();
      const withCreds = url.replace('http://', `http://app:${SECRET}@`);
      const { client, owned } = createClient({ es: withCreds }, {});
      expect(owned).to.equal(true);
      const c8 = new Client8({ node: withCreds });
      try {
        for (const c of [client, c8 as unknown as Client]) {
          const err = await checkConnection(c).catch((e: unknown) => e);
          expect(err).to.be.instanceOf(ConnectionError);
          expect((err as Error).message).to.include(`unreachable at ${url}`);
          assertNoSecrets(err);
        }
      } finally {
        await Promise.all([client.close(), c8.close()]);
      }
    });

    it('wrong credentials → AuthenticationError; right ones → version (both clients)', async () => {
      const s = await serve(esLike);
      server = s.server;
      for (const make of [(o: { node: string; auth: { username: string; password: string } }) => new Client(o), (o: { node: string; auth: { username: string; password: string } }) => new Client8(o) as unknown as Client]) {
        const bad = make({ node: s.url, auth: { username: 'app', password: 'wrong' } });
        const good = make({ node: s.url, auth: { username: 'app', password: SECRET } });
        try {
          const err = await checkConnection(bad).catch((e: unknown) => e);
          expect(err).to.be.instanceOf(AuthenticationError);
          expect((err as Error).message).to.include(`Elasticsearch at ${s.url} rejected the credentials`);
          assertNoSecrets(err);
          const info = await checkConnection(good);
          expect(info).to.deep.equal({ node: s.url, version: '8.15.0', clusterName: 'test-cluster' });
        } finally {
          await Promise.all([bad.close(), good.close()]);
        }
      }
    });

    it('credentials from the environment reach the server', async () => {
      const s = await serve(esLike);
      server = s.server;
      const { client } = createClient({}, { ESJOBS_ES_URL: s.url, ESJOBS_ES_USERNAME: 'app', ESJOBS_ES_PASSWORD: SECRET });
      try {
        expect((await checkConnection(client)).version).to.equal('8.15.0');
      } finally {
        await client.close();
      }
    });

    it('a server that is not Elasticsearch → ConnectionError saying so', async () => {
      const s = await serve((_req, res) => {
        res.setHeader('content-type', 'text/html');
        res.end('<html>hello</html>');
      });
      server = s.server;
      const { client } = createClient({ es: s.url }, {});
      try {
        const err = await checkConnection(client).catch((e: unknown) => e);
        expect(err).to.be.instanceOf(ConnectionError);
        expect((err as Error).message).to.match(/not (answer like )?Elasticsearch/u);
        expect((err as Error).message).to.include(s.url);
      } finally {
        await client.close();
      }
    });
  });
});
