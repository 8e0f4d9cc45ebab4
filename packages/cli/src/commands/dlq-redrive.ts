/**
 * `esjobs dlq redrive QUEUE (--all | ID...) [--json]`: put dead-lettered jobs back in their queue
 * as new queued jobs (history kept). Exit 1 when any id was not found or failed.
 */
import type { RedriveOutcome } from '@esjobs/core';
import { type Command, UsageError, booleanFlag, exitCodes } from '../command.js';
import { connectionFlags, jsonFlag, printJson, printTable, usage, wantsJson, withConnection } from './scheduler-admin-support.js';

const BATCH = 500;

export const dlqRedrive: Command = {
  path: ['dlq', 'redrive'],
  summary: 'requeue dead-lettered jobs of QUEUE: --all, or the ids given',
  flags: [...connectionFlags, { name: 'all', type: 'boolean', description: 'every dead-lettered job of the queue' }, jsonFlag],
  run: async (cmd) => {
    const [queue, ...ids] = cmd.args;
    const all = booleanFlag(cmd.flags, 'all');
    if (queue === undefined) throw new UsageError('expected QUEUE (--all | ID...)');
    if (all && ids.length > 0) throw new UsageError('give either --all or job ids, not both');
    if (!all && ids.length === 0) throw new UsageError('give --all or at least one job id');
    return withConnection(cmd, async (c) => {
      const outcomes: RedriveOutcome[] = [];
      if (all) {
        // Redriven jobs leave the dead index, so the first page is always the next batch.
        for (;;) {
          const page = await usage(() => c.store.listDead({ queue, size: BATCH }));
          const batch = page.jobs.map((j) => j.id).filter((id) => !outcomes.some((o) => o.id === id));
          if (batch.length === 0) break;
          outcomes.push(...(await c.store.redrive(queue, batch)));
          await c.ctx.client.indices.refresh({ index: c.ctx.names.dead(queue) });
        }
      } else {
        outcomes.push(...(await usage(() => c.store.redrive(queue, ids))));
      }
      const failed = outcomes.filter((o) => o.status !== 'redriven');
      if (wantsJson(cmd)) {
        printJson(cmd, { queue, redriven: outcomes.length - failed.length, outcomes: outcomes.map((o) => ({ jobId: o.id, status: o.status, ...(o.status === 'error' ? { error: o.error.message } : {}) })) });
      } else {
        cmd.stdout(`redriven ${outcomes.length - failed.length} of ${outcomes.length} job(s) in queue ${queue}`);
        if (failed.length > 0) printTable(cmd, ['job id', 'status'], failed.map((o) => [o.id, o.status === 'error' ? `error: ${o.error.message}` : o.status]));
      }
      return failed.length === 0 ? exitCodes.ok : exitCodes.failure;
    });
  },
};
