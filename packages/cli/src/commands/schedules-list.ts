/** `esjobs schedules list [--json]`: every recurring schedule with its next fire time. */
import { Scheduler } from '@esjobs/scheduler';
import { type Command, exitCodes } from '../command.js';
import { connectionFlags, isoOrDash, jsonFlag, printJson, printTable, wantsJson, withConnection } from './scheduler-admin-support.js';

export const schedulesList: Command = {
  path: ['schedules', 'list'],
  summary: 'list recurring schedules with their next fire times',
  flags: [...connectionFlags, jsonFlag],
  run: async (cmd) =>
    withConnection(cmd, async (c) => {
      const scheduler = new Scheduler({ es: c.ctx, bootstrap: false });
      const list = await scheduler.listSchedules();
      await scheduler.stop();
      if (wantsJson(cmd)) {
        printJson(cmd, {
          schedules: list.map((s) => ({
            name: s.name,
            cron: s.cron,
            tz: s.tz,
            job: s.jobName,
            queue: s.queue,
            priority: s.priority,
            misfire: s.misfire,
            paused: s.paused,
            nextFireAt: s.nextFireAt === undefined ? null : new Date(s.nextFireAt).toISOString(),
            lastFireAt: s.lastFireAt === undefined ? null : new Date(s.lastFireAt).toISOString(),
          })),
        });
        return exitCodes.ok;
      }
      printTable(
        cmd,
        ['name', 'cron', 'tz', 'job', 'queue', 'next fire', 'last fire', 'misfire', 'paused'],
        list.map((s) => [s.name, s.cron, s.tz, s.jobName, s.queue, isoOrDash(s.nextFireAt), isoOrDash(s.lastFireAt), s.misfire, s.paused ? 'yes' : 'no']),
      );
      return exitCodes.ok;
    }),
};
