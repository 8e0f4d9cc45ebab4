import { expect } from 'chai';
import { runCli } from '../src/cli.js';
import type { Command } from '../src/command.js';
import { UsageError } from '../src/command.js';
import { engineStartOptions } from '../src/commands/engine-start.js';
import { parseFlags } from '../src/flags.js';
import { Client } from '../../../test/support/clients.js';
import { spawnCli, spawnEngine } from '../../../test/support/cli.js';
import { raw } from '../../../test/support/http-raw.js';

function io(env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { stdout: (l: string) => out.push(l), stderr: (l: string) => err.push(l), env, signal: new AbortController().signal } };
}

const echo: Command = {
  path: ['demo', 'echo'],
  summary: 'echo flags',
  flags: [
    { name: 'name', type: 'string', description: 'a name' },
    { name: 'loud', type: 'boolean', description: 'shout' },
    { name: 'tag', type: 'string', description: 'tags', multiple: true },
  ],
  async run(ctx) {
    if (ctx.flags.name === 'boom') throw new Error('exploded');
    if (ctx.flags.name === 'bad') throw new UsageError('--name cannot be bad');
    ctx.stdout(JSON.stringify(ctx.flags));
    return 0;
  },
};

describe('cli: dispatcher', () => {
  it('--help and --version exit 0; no command exits 2', async () => {
    const a = io();
    expect(await runCli(['--help'], a.io, [echo])).to.equal(0);
    expect(a.out.join('\n')).to.contain('demo echo');
    const b = io();
    expect(await runCli(['--version'], b.io, [echo])).to.equal(0);
    expect(b.out[0]).to.match(/^\d+\.\d+\.\d+/);
    expect(await runCli([], io().io, [echo])).to.equal(2);
  });

  it('flags from argv, then ESJOBS_* env; unknown flags and commands exit 2', async () => {
    const a = io({ ESJOBS_NAME: 'from-env', ESJOBS_LOUD: 'true' });
    expect(await runCli(['demo', 'echo', '--tag', 'x', '--tag=y'], a.io, [echo])).to.equal(0);
    expect(JSON.parse(a.out[0] ?? '{}')).to.deep.equal({ tag: ['x', 'y'], name: 'from-env', loud: true });
    const b = io({ ESJOBS_NAME: 'from-env' });
    await runCli(['demo', 'echo', '--name', 'cli', '--no-loud'], b.io, [echo]);
    expect(JSON.parse(b.out[0] ?? '{}')).to.deep.equal({ name: 'cli', loud: false });
    const c = io();
    expect(await runCli(['demo', 'echo', '--nope'], c.io, [echo])).to.equal(2);
    expect(c.err.join('\n')).to.contain('unknown flag --nope');
    expect(await runCli(['demo', 'nothing'], io().io, [echo])).to.equal(2);
    expect(await runCli(['zzz'], io().io, [echo])).to.equal(2);
  });

  it('usage errors exit 2, failures exit 1, with the message', async () => {
    const a = io();
    expect(await runCli(['demo', 'echo', '--name', 'bad'], a.io, [echo])).to.equal(2);
    expect(a.err.join('\n')).to.contain('--name cannot be bad');
    const b = io();
    expect(await runCli(['demo', 'echo', '--name', 'boom'], b.io, [echo])).to.equal(1);
    expect(b.err.join('\n')).to.contain('exploded');
  });

  it('a value flag without a value is a usage error', () => {
    expect(() => parseFlags(['--name'], echo.flags, {})).to.throw(UsageError, /--name expects a value/);
  });

  it('reads --es from ESJOBS_ES_URL; an empty variable counts as unset', () => {
    const specs = [{ name: 'es', type: 'string', description: 'url' }] as const;
    expect(parseFlags([], specs, { ESJOBS_ES_URL: 'http://127.0.0.1:9200' }).flags.es).to.equal('http://127.0.0.1:9200');
    expect(parseFlags([], specs, { ESJOBS_ES_URL: '' }).flags.es).to.equal(undefined);
    expect(parseFlags([], specs, { ESJOBS_ES: 'http://ignored' }).flags.es).to.equal(undefined);
  });

  it('engine start validates its flags, naming flag and value', () => {
    const ctx = (flags: Record<string, string | boolean | string[]>) => ({ flags, args: [], env: {}, stdout: () => undefined, stderr: () => undefined, signal: new AbortController().signal });
    expect(() => engineStartOptions(ctx({ port: 'abc' }))).to.throw(UsageError, /--port .*"abc"/);
    expect(() => engineStartOptions(ctx({ profile: 'wild' }))).to.throw(UsageError, /--profile .*"wild"/);
    expect(() => engineStartOptions(ctx({ 'max-body': '12zz' }))).to.throw(UsageError, /--max-body/);
    expect(() => engineStartOptions(ctx({ user: 'u' }))).to.throw(UsageError, /--user and --password/);
    expect(() => engineStartOptions(ctx({ 'api-key': ['no-colon-secret'] }))).to.throw(UsageError).that.satisfies((e: Error) => !e.message.includes('no-colon-secret'));
    const o = engineStartOptions(ctx({ port: '0', 'max-body': '1mb', profile: 'realistic', 'api-key': ['id1:k1'] }));
    expect(o).to.include({ port: 0, maxBody: 1024 * 1024, faults: 'realistic', host: '127.0.0.1' });
    expect(o.auth?.apiKeys).to.deep.equal([{ id: 'id1', key: 'k1' }]);
  });
});

describe('cli: esjobs engine start (process)', function () {
  this.timeout(30_000);

  it('prints the URL, serves, and exits 0 on SIGTERM', async () => {
    const { proc, url } = await spawnEngine(['--max-body', '1kb']);
    const client = new Client({ node: url });
    try {
      expect((await client.info()).version.number).to.match(/^8\./);
      const port = Number(new URL(url).port);
      expect((await raw(port, 'POST', '/_bulk', 'x'.repeat(2000), { 'content-type': 'application/x-ndjson' })).status).to.equal(413);
    } finally {
      await client.close();
    }
    proc.kill('SIGTERM');
    const exit = await proc.exited;
    expect(exit.code).to.equal(0);
  });

  it('requires credentials given by flags and env without printing them', async () => {
    const { proc, url } = await spawnEngine(['--user', 'admin'], { env: { ESJOBS_PASSWORD: 'env-pass-123' } });
    const anon = new Client({ node: url, maxRetries: 0 });
    const authed = new Client({ node: url, auth: { username: 'admin', password: 'env-pass-123' } });
    try {
      const status = await anon.info().then(
        () => 200,
        (e: unknown) => (e as { meta?: { statusCode?: number } }).meta?.statusCode,
      );
      expect(status).to.equal(401);
      expect((await authed.info()).version.number).to.match(/^8\./);
    } finally {
      await anon.close();
      await authed.close();
    }
    proc.kill('SIGINT');
    expect((await proc.exited).code).to.equal(0);
    expect(proc.stdout() + proc.stderr()).not.to.contain('env-pass-123');
  });

  it('a bad flag exits 2 with a message', async () => {
    const proc = spawnCli(['engine', 'start', '--port', 'nope']);
    const exit = await proc.exited;
    expect(exit.code).to.equal(2);
    expect(proc.stderr()).to.contain('--port must be an integer');
  });
});
