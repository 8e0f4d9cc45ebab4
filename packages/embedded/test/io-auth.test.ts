import { expect } from 'chai';
import { startEngine } from '@esjobs/embedded';
import type { StartedEngine } from '@esjobs/embedded';
import { Client, errors } from '../../../test/support/clients.js';
import { raw } from '../../../test/support/http-raw.js';

describe('io: HTTP authentication', () => {
  let started: StartedEngine;
  const clients: Client[] = [];
  const client = (auth?: ConstructorParameters<typeof Client>[0]['auth']): Client => {
    const c = new Client({ node: started.url, ...(auth ? { auth } : {}), maxRetries: 0 });
    clients.push(c);
    return c;
  };
  before(async () => {
    started = await startEngine({ port: 0, auth: { users: { elastic: 's3cret-pw' }, apiKeys: [{ id: 'key1', key: 'k3y-material' }] } });
  });
  after(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await started.close();
  });

  it('rejects requests without credentials with security_exception and WWW-Authenticate', async () => {
    const res = await raw(started.port, 'GET', '/', undefined, {});
    expect(res.status).to.equal(401);
    const body = JSON.parse(res.body) as { error: { type: string; reason: string; root_cause: { type: string }[] }; status: number };
    expect(body.error.type).to.equal('security_exception');
    expect(body.error.root_cause[0]?.type).to.equal('security_exception');
    expect(body.error.reason).to.equal('missing authentication credentials for REST request [/]');
    expect(body.status).to.equal(401);
    expect(res.headers['www-authenticate']).to.satisfy((v: unknown) => Array.isArray(v) ? v.some((x) => String(x).startsWith('Basic')) : String(v).startsWith('Basic'));
  });

  it('the client gets a 401 ResponseError without leaking the password', async () => {
    const err = await client({ username: 'elastic', password: 'wrong-pw-123' }).info().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(errors.ResponseError);
    const e = err as InstanceType<typeof errors.ResponseError>;
    expect(e.meta.statusCode).to.equal(401);
    const text = `${e.message} ${JSON.stringify(e.meta.body)}`;
    expect(text).to.contain('unable to authenticate user [elastic]');
    expect(text).not.to.contain('wrong-pw-123');
    expect(text).not.to.contain('s3cret-pw');
  });

  it('accepts basic auth and API keys', async () => {
    expect((await client({ username: 'elastic', password: 's3cret-pw' }).info()).version.number).to.match(/^8\./);
    expect((await client({ apiKey: { id: 'key1', api_key: 'k3y-material' } }).info()).version.number).to.match(/^8\./);
    expect((await client({ apiKey: Buffer.from('key1:k3y-material').toString('base64') }).info()).version.number).to.match(/^8\./);
  });

  it('rejects a wrong API key without echoing it', async () => {
    const res = await raw(started.port, 'GET', '/', undefined, { authorization: `ApiKey ${Buffer.from('key1:nope-nope').toString('base64')}` });
    expect(res.status).to.equal(401);
    expect(res.body).not.to.contain('nope-nope');
    expect(res.body).not.to.contain('k3y-material');
  });
});
