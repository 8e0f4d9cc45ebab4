/**
 * `esjobs stats [--json]`: per queue, jobs queued (ready now), delayed (queued, runAt in the
 * future), active, completed, failed and dead-lettered; and the live workers from the worker
 * registry. Counts come from search, so they lag writes by up to one refresh interval.
 */
import { NotFoundError, type QueueCounts, listWorkers } from '@esjobs/core';
import { type Command, exitCodes } from '../command.js';
import { connectionFlags, jsonFlag, printJson, printTable, wantsJson, withConnection } from './scheduler-admin-support.js';

export const stats: Command = {
  path: ['stats'],
  summary: 'jobs per queue and state (queued, delayed, active, completed, failed, dead) and live workers',
  flags: [...connectionFlags, jsonFlag],
  details: 'queued counts jobs ready to run now; delayed counts queued jobs whose runAt is in the future.',
  run: async (cmd) =>
    withConnection(cmd, async (c) => {
      // No jobs index yet (nothing enqueued under this prefix): every count is zero.
      const counts: Record<string, QueueCounts> = await c.store.queueStats().catch((err: unknown) => {
        if (err instanceof NotFoundError) return {};
        throw err;
      });
      const workers = (await listWorkers(c.ctx)).filter((w) => w.live);
      const queues = Object.keys(counts).sort();
      const rows = queues.map((q) => {
        const k = counts[q] ?? { queued: 0, delayed: 0, active: 0, completed: 0, failed: 0, dead: 0 };
        return { queue: q, queued: k.queued - k.delayed, delayed: k.delayed, active: k.active, completed: k.completed, failed: k.failed, dead: k.dead };
      });
      if (wantsJson(cmd)) {
        printJson(cmd, {
          queues: rows,
          workers: workers.map((w) => ({ workerId: w.workerId, host: w.host, pid: w.pid, queues: w.queues, concurrency: w.concurrency, active: w.active, state: w.state, lastSeenAt: w.lastSeenAt })),
        });
        return exitCodes.ok;
      }
      printTable(
        cmd,
        ['queue', 'queued', 'delayed', 'active', 'completed', 'failed', 'dead'],
        rows.map((r) => [r.queue, String(r.queued), String(r.delayed), String(r.active), String(r.completed), String(r.failed), String(r.dead)]),
      );
      cmd.stdout('');
      cmd.stdout(`live workers: ${workers.length}`);
      if (workers.length > 0) {
        printTable(
          cmd,
          ['worker', 'host', 'pid', 'queues', 'active', 'last seen'],
          workers.map((w) => [w.workerId, w.host, String(w.pid), w.queues.join(','), `${w.active}/${w.concurrency}`, w.lastSeenAt]),
        );
      }
      return exitCodes.ok;
    }),
};
