/**
 * `esjobs enqueue NAME [--payload JSON] [--queue Q] [--priority N] [--delay 10s | --run-at ISO]
 * [--job-id ID] [--json]`: enqueue one job. With --job-id, enqueueing again reports the existing
 * job (status `existing`) and writes nothing.
 */
import { type JobOptions, ValidationError, parseDuration } from '@esjobs/core';
import { Scheduler } from '@esjobs/scheduler';
import { type Command, type CommandContext, UsageError, exitCodes, stringFlag } from '../command.js';
import { connectionFlags, isoOrDash, jsonFlag, positionals, printJson, usage, wantsJson, withConnection } from './scheduler-admin-support.js';

function parsePayload(raw: string | undefined): unknown {
  if (raw === undefined) return {};
  try {
    return JSON.parse(raw) as unknown;
  } catch (err) {
    throw new UsageError(new ValidationError('--payload', raw, `not valid JSON: ${err instanceof Error ? err.message : String(err)}`).message);
  }
}

function jobOptions(cmd: CommandContext): JobOptions {
  const f = cmd.flags;
  const queue = stringFlag(f, 'queue');
  const priorityRaw = stringFlag(f, 'priority');
  const delayRaw = stringFlag(f, 'delay');
  const runAtRaw = stringFlag(f, 'run-at');
  const jobId = stringFlag(f, 'job-id');
  if (delayRaw !== undefined && runAtRaw !== undefined) throw new UsageError('give either --delay or --run-at, not both');
  let priority: number | undefined;
  if (priorityRaw !== undefined) {
    priority = Number(priorityRaw);
    if (!/^-?\d+$/.test(priorityRaw.trim())) throw new UsageError(new ValidationError('--priority', priorityRaw, 'must be an integer (higher runs first)').message);
  }
  const delay = delayRaw === undefined ? undefined : usage(() => parseDuration('--delay', delayRaw, { allowZero: true }));
  let runAt: string | undefined;
  if (runAtRaw !== undefined) {
    if (!/^\d{4}-\d{2}-\d{2}/.test(runAtRaw) || Number.isNaN(Date.parse(runAtRaw))) {
      throw new UsageError(new ValidationError('--run-at', runAtRaw, 'must be an ISO-8601 date-time such as 2030-01-31T09:00:00Z').message);
    }
    runAt = runAtRaw;
  }
  return {
    ...(queue === undefined ? {} : { queue }),
    ...(priority === undefined ? {} : { priority }),
    ...(delay === undefined ? {} : { delay }),
    ...(runAt === undefined ? {} : { runAt }),
    ...(jobId === undefined ? {} : { jobId }),
  };
}

export const enqueueCommand: Command = {
  path: ['enqueue'],
  summary: 'enqueue one job: NAME [--payload JSON] [--queue Q] [--priority N] [--delay 10s | --run-at ISO] [--job-id ID]',
  flags: [
    ...connectionFlags,
    { name: 'payload', type: 'string', valueName: 'JSON', description: 'job payload as JSON', defaultText: '{}' },
    { name: 'queue', type: 'string', valueName: 'Q', description: 'queue', defaultText: 'default' },
    { name: 'priority', type: 'string', valueName: 'N', description: 'integer priority, higher runs first', defaultText: '0' },
    { name: 'delay', type: 'string', valueName: 'DURATION', description: 'run no earlier than now + DURATION (e.g. 10s, 5m)' },
    { name: 'run-at', type: 'string', valueName: 'ISO', description: 'run no earlier than this ISO-8601 time' },
    { name: 'job-id', type: 'string', valueName: 'ID', description: 'idempotency key: an existing job with this id is reported, not duplicated' },
    jsonFlag,
  ],
  run: async (cmd) => {
    const [name = ''] = positionals(cmd, ['name']);
    const payload = parsePayload(stringFlag(cmd.flags, 'payload'));
    const options = jobOptions(cmd);
    return withConnection(cmd, async (c) => {
      const scheduler = new Scheduler({ es: c.ctx });
      try {
        const { job, created } = await usage(() => scheduler.enqueue(name, payload, options));
        const status = created ? 'created' : 'existing';
        if (wantsJson(cmd)) printJson(cmd, { status, jobId: job.id, name: job.doc.name, queue: job.doc.queue, priority: job.doc.priority, state: job.doc.state, runAt: job.doc.runAt });
        else cmd.stdout(`${created ? 'enqueued' : 'already enqueued (nothing written)'} ${job.id}  name=${job.doc.name} queue=${job.doc.queue} priority=${job.doc.priority} state=${job.doc.state} runAt=${isoOrDash(job.doc.runAt)}`);
        return exitCodes.ok;
      } finally {
        await scheduler.stop();
      }
    });
  },
};
