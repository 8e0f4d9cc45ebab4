/**
 * `esjobs scheduler start --es URL [--schedules FILE] [--prefix P]`: fire recurring schedules
 * (exactly once per fire time, with any number of these processes, no leader) and run the
 * maintenance loop (retention of finished jobs and events, dead-letter repair, lease reaping),
 * until SIGTERM/SIGINT. Schedules from FILE are reconciled on start: unchanged ones are not written,
 * changed ones are updated, and schedules an earlier file created (`managedBy: "file"`) that are no
 * longer in it are deleted; schedules created through the API are never touched. Publishes its events to `<prefix>-events` for `esjobs events tail`.
 */
import { AuthenticationError, ConnectionError, EventBus, checkConnection, createEsEventTransport, errorInfo } from '@esjobs/core';
import { Maintenance, Scheduler, validateMaintenanceOptions } from '@esjobs/scheduler';
import { type Command, exitCodes, stringFlag } from '../command.js';
import { connect, connectionFlags, usage } from './scheduler-admin-support.js';
import { loadSchedulesFile } from './scheduler-schedules-file.js';

/** `managedBy` of schedules loaded from `--schedules FILE`: one set per prefix, whatever the file's name. */
export const schedulesFileOwner = 'file';

export const schedulerExitCodes = { ...exitCodes, connection: 4 } as const;

export const schedulerStart: Command = {
  path: ['scheduler', 'start'],
  summary: 'fire recurring schedules and run maintenance (retention, dead-letter repair, lease reaping)',
  flags: [
    ...connectionFlags,
    { name: 'schedules', type: 'string', valueName: 'FILE', description: 'schedules to reconcile on start (ones dropped from the file are deleted): a JSON array, or a .js/.ts module exporting one' },
    { name: 'completed-max-age', type: 'string', valueName: 'DURATION', description: 'delete completed jobs older than this ("off" keeps them)', defaultText: '24h' },
    { name: 'failed-max-age', type: 'string', valueName: 'DURATION', description: 'delete failed jobs older than this ("off" keeps them)', defaultText: '7d' },
  ],
  details: 'Exit codes: 0 clean shutdown, 2 bad flags or schedules file, 4 cluster unreachable, 1 other.',
  run: async (cmd) => {
    const age = (flag: string): string | null | undefined => {
      const v = stringFlag(cmd.flags, flag);
      return v === 'off' ? null : v;
    };
    const maintenanceOptions = usage(() => {
      const completed = age('completed-max-age');
      const failed = age('failed-max-age');
      const o = { ...(completed === undefined ? {} : { completedMaxAge: completed }), ...(failed === undefined ? {} : { failedMaxAge: failed }) };
      validateMaintenanceOptions(o);
      return o;
    });
    const file = stringFlag(cmd.flags, 'schedules');
    const c = connect(cmd);
    try {
      const definitions = file === undefined ? [] : await usage(() => loadSchedulesFile(file, process.cwd(), c.ctx.maxPayloadBytes));
      try {
        await checkConnection(c.ctx.client);
      } catch (err) {
        cmd.stderr(`esjobs scheduler start: ${err instanceof Error ? err.message : String(err)}`);
        return err instanceof ConnectionError || err instanceof AuthenticationError ? schedulerExitCodes.connection : exitCodes.failure;
      }
      const bus = new EventBus({ clock: c.ctx.clock });
      const scheduler = new Scheduler({ es: c.ctx, events: bus });
      await scheduler.start();
      const transport = createEsEventTransport({ ctx: c.ctx, bus, subscribe: false }).start();
      const maintenance = new Maintenance({ ctx: c.ctx, events: bus }, maintenanceOptions);
      bus.on('error', (e) => cmd.stderr(`error in ${e.component}: ${e.error.message}`));
      bus.on('schedule:fired', (e) => {
        if (e.created) cmd.stdout(`fired ${e.scheduleId} @ ${new Date(e.fireAt).toISOString()} -> job ${e.jobId}${e.misfire ? ' (misfire catch-up)' : ''}`);
      });
      bus.on('maintenance', (e) => {
        if (e.affected > 0) cmd.stdout(`maintenance ${e.task}: ${e.affected} in ${e.durationMs} ms`);
      });
      try {
        if (file !== undefined) {
          const rec = await scheduler.reconcileSchedules(definitions, { managedBy: schedulesFileOwner });
          for (const r of rec.results) {
            cmd.stdout(`schedule ${r.schedule.name}: ${r.status}, next fire ${r.schedule.nextFireAt === undefined ? '-' : new Date(r.schedule.nextFireAt).toISOString()}`);
          }
          for (const name of rec.deleted) cmd.stdout(`schedule ${name}: deleted (no longer in ${file})`);
        }
        maintenance.start();
        cmd.stdout(`scheduler started (prefix ${c.prefix}, ${definitions.length} schedule(s) from ${file ?? 'no file'}, pid ${process.pid})`);
        await new Promise<void>((resolve) => {
          if (cmd.signal.aborted) resolve();
          cmd.signal.addEventListener('abort', () => resolve(), { once: true });
        });
        cmd.stdout('stopping');
      } catch (err) {
        bus.emit('error', { at: c.ctx.clock.now(), component: 'scheduler', error: errorInfo(err) });
        throw err;
      } finally {
        await scheduler.stop();
        await maintenance.stop();
        await transport.close();
      }
      cmd.stdout('scheduler stopped');
      return exitCodes.ok;
    } finally {
      await c.close();
    }
  },
};
