import { expect } from 'chai';
import { fileURLToPath } from 'node:url';
import { ValidationError } from '@esjobs/core';
import { parseWorkerStartArgs } from '../../packages/cli/src/commands/worker-args.js';
import { JobsModuleError, loadJobs } from '../../packages/cli/src/commands/worker-jobs-loader.js';
import { createCliLogger } from '../../packages/cli/src/commands/worker-log.js';

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));

describe('esjobs worker start: flags, environment, logs, jobs module', () => {
  it('reads flags, falls back to ESJOBS_* variables, and lets flags win', () => {
    const a = parseWorkerStartArgs(['--jobs', 'j.ts', '--queues', 'a, b', '--lease', '2s', '--queue-limit', 'a=3', '--queue-limit', 'b=1'], {
      ESJOBS_ES_URL: 'http://x:9200',
      ESJOBS_CONCURRENCY: '7',
      ESJOBS_QUEUES: 'ignored',
      ESJOBS_SHUTDOWN_TIMEOUT: '0',
      ESJOBS_LOG_FORMAT: 'json',
    });
    expect(a).to.include({ jobs: 'j.ts', es: 'http://x:9200', concurrency: 7, leaseMs: 2000, shutdownTimeoutMs: 0, logFormat: 'json', logLevel: 'info' });
    expect(a.queues).to.deep.equal(['a', 'b']);
    expect(a.queueLimits).to.deep.equal({ a: 3, b: 1 });
    expect(parseWorkerStartArgs([], { ESJOBS_QUEUE_LIMITS: 'x=2,y=4' }).queueLimits).to.deep.equal({ x: 2, y: 4 });
  });

  it('names the flag or variable and the bad value', () => {
    const bad = (argv: string[], env: Record<string, string> = {}): string => {
      try {
        parseWorkerStartArgs(argv, env);
      } catch (err) {
        expect(err).to.be.instanceOf(ValidationError);
        return (err as Error).message;
      }
      throw new Error('accepted');
    };
    expect(bad(['--concurrency', 'many'])).to.match(/^--concurrency: .*"many"/);
    expect(bad([], { ESJOBS_CONCURRENCY: '0' })).to.match(/^ESJOBS_CONCURRENCY: .*"0"/);
    expect(bad(['--lease', 'forever'])).to.match(/^--lease: not a duration/);
    expect(bad(['--queues', 'Bad'])).to.match(/^--queues: must be lowercase/);
    expect(bad(['--queue-limit', 'a:3'])).to.match(/^--queue-limit: must be QUEUE=N/);
    expect(bad(['--log-format', 'xml'])).to.match(/^--log-format: must be json or pretty/);
    expect(bad(['--log-level', 'loud'])).to.match(/^--log-level/);
    expect(bad(['--prefix', '_x'])).to.match(/^--prefix/);
    expect(bad(['--colour', 'red'])).to.match(/colour/);
  });

  it('writes JSON lines or pretty lines, filtered by level', () => {
    const out: string[] = [];
    const json = createCliLogger('json', 'info', { write: (l) => out.push(l) }, () => 0);
    expect(json.isLevelEnabled?.('debug')).to.equal(false);
    expect(json.isLevelEnabled?.('info')).to.equal(true);
    json.debug('hidden');
    json.info('ready', { queues: ['a'] });
    expect(out).to.have.length(1);
    expect(JSON.parse(out[0] ?? '')).to.deep.equal({ time: '1970-01-01T00:00:00.000Z', level: 'info', msg: 'ready', queues: ['a'] });
    const pretty: string[] = [];
    createCliLogger('pretty', 'debug', { write: (l) => pretty.push(l) }, () => 0).warn('lease lost', { jobId: 'j1', reason: 'the job is completed' });
    expect(pretty[0]).to.equal('00:00:00.000 WARN  lease lost jobId=j1 reason="the job is completed"\n');
  });

  it('loads named-export definitions from a .ts module and rejects modules without any', async () => {
    const jobs = await loadJobs('jobs.ts', fixtures);
    expect(jobs.map((j) => j.name).sort()).to.deep.equal(['fatal', 'flaky', 'hang', 'limited', 'wait-cancel', 'work']);
    await loadJobs('bad-jobs.ts', fixtures).then(
      () => expect.fail('accepted'),
      (err: unknown) => {
        expect(err).to.be.instanceOf(JobsModuleError);
        expect((err as Error).message).to.match(/exports no job definitions/);
      },
    );
    await loadJobs('missing.ts', fixtures).then(
      () => expect.fail('accepted'),
      (err: unknown) => expect((err as Error).message).to.match(/no such file/),
    );
  });
});
