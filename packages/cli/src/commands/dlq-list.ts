/** `esjobs dlq list QUEUE [--search TEXT] [--limit N] [--json]`: dead-lettered jobs of a queue, newest first. */
import { ValidationError } from '@esjobs/core';
import { type Command, UsageError, exitCodes, stringFlag } from '../command.js';
import { connectionFlags, isoOrDash, jsonFlag, positionals, printJson, printTable, usage, wantsJson, withConnection } from './scheduler-admin-support.js';

export function parseLimit(raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < 1 || n > 10_000) throw new UsageError(new ValidationError('--limit', raw, 'must be an integer from 1 to 10000').message);
  return n;
}

export const dlqList: Command = {
  path: ['dlq', 'list'],
  summary: 'list dead-lettered jobs of QUEUE, newest first; --search matches words of the last error',
  flags: [
    ...connectionFlags,
    { name: 'search', type: 'string', valueName: 'TEXT', description: 'only jobs whose last error matches TEXT' },
    { name: 'limit', type: 'string', valueName: 'N', description: 'most jobs listed', defaultText: '100' },
    jsonFlag,
  ],
  run: async (cmd) => {
    const [queue = ''] = positionals(cmd, ['queue']);
    const search = stringFlag(cmd.flags, 'search');
    const size = parseLimit(stringFlag(cmd.flags, 'limit'), 100);
    return withConnection(cmd, async (c) => {
      const page = await usage(() => c.store.listDead({ queue, size, ...(search === undefined ? {} : { errorText: search }) }));
      if (wantsJson(cmd)) {
        printJson(cmd, {
          queue,
          jobs: page.jobs.map((j) => ({
            jobId: j.id,
            name: j.doc.name,
            attempt: j.doc.attempt,
            maxAttempts: j.doc.maxAttempts,
            deadLetteredAt: j.deadLetteredAt ?? null,
            reason: j.deadReason ?? null,
            lastError: j.doc.lastError,
            payload: j.doc.payload,
          })),
        });
        return exitCodes.ok;
      }
      printTable(
        cmd,
        ['job id', 'name', 'attempts', 'dead since', 'reason', 'last error'],
        page.jobs.map((j) => [j.id, j.doc.name, `${j.doc.attempt}/${j.doc.maxAttempts}`, isoOrDash(j.deadLetteredAt), j.deadReason ?? '-', (j.doc.lastError ?? '-').split('\n')[0] ?? '-']),
      );
      return exitCodes.ok;
    });
  },
};
