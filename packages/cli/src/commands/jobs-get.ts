/** `esjobs jobs get ID [--json]`: one job, live or dead-lettered (real-time read). Exit 1 when not found. */
import { type Command, exitCodes } from '../command.js';
import { connectionFlags, isoOrDash, jsonFlag, positionals, printJson, usage, wantsJson, withConnection } from './scheduler-admin-support.js';

export const jobsGet: Command = {
  path: ['jobs', 'get'],
  summary: 'show one job by id (live or dead-lettered)',
  flags: [...connectionFlags, jsonFlag],
  run: async (cmd) => {
    const [id = ''] = positionals(cmd, ['id']);
    return withConnection(cmd, async (c) => {
      const job = await usage(() => c.store.getJob(id));
      if (job === undefined) {
        cmd.stderr(`esjobs jobs get: job ${JSON.stringify(id)} not found (prefix ${c.prefix})`);
        return exitCodes.failure;
      }
      const d = job.doc;
      const state = job.location === 'dead' ? 'dead' : d.state;
      if (wantsJson(cmd)) {
        printJson(cmd, { jobId: job.id, location: job.location, index: job.index, state, job: d });
        return exitCodes.ok;
      }
      const rows: [string, string][] = [
        ['id', job.id],
        ['name', d.name],
        ['queue', d.queue],
        ['state', state],
        ['priority', String(d.priority)],
        ['attempt', `${d.attempt}/${d.maxAttempts}`],
        ['runAt', isoOrDash(d.runAt)],
        ['enqueuedAt', isoOrDash(d.enqueuedAt)],
        ['startedAt', isoOrDash(d.startedAt)],
        ['finishedAt', isoOrDash(d.finishedAt)],
        ['lease', d.lease === null ? '-' : `${d.lease.owner} until ${d.lease.expiresAt}`],
        ['lastError', d.lastError ?? '-'],
        ['payload', JSON.stringify(d.payload)],
        ['result', JSON.stringify(d.result)],
        ...(d.scheduleName === undefined ? [] : ([['schedule', `${d.scheduleName} @ ${d.fireTime ?? '-'}`]] as [string, string][])),
      ];
      for (const [k, v] of rows) cmd.stdout(`${k.padEnd(11)} ${v}`);
      return exitCodes.ok;
    });
  },
};
