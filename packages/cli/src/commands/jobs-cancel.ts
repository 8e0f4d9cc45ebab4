/**
 * `esjobs jobs cancel ID [--json]`: a queued job fails at once (cancelled); an active one is asked
 * to stop (its worker learns at the next heartbeat). Exit 1 when not found or already finished.
 */
import { type Command, exitCodes } from '../command.js';
import { connectionFlags, jsonFlag, positionals, printJson, usage, wantsJson, withConnection } from './scheduler-admin-support.js';

const messages = {
  cancelled: 'cancelled',
  requested: 'cancellation requested (the job is running; its worker stops it at the next heartbeat)',
  'not-cancellable': 'not cancellable: already finished',
  'not-found': 'not found',
} as const;

export const jobsCancel: Command = {
  path: ['jobs', 'cancel'],
  summary: 'cancel a job (queued: at once; active: at its next heartbeat)',
  flags: [...connectionFlags, jsonFlag],
  run: async (cmd) => {
    const [id = ''] = positionals(cmd, ['id']);
    return withConnection(cmd, async (c) => {
      const out = await usage(() => c.store.cancel(id));
      const ok = out.status === 'cancelled' || out.status === 'requested';
      if (wantsJson(cmd)) printJson(cmd, { jobId: id, ...out });
      else (ok ? cmd.stdout : cmd.stderr)(`job ${id}: ${messages[out.status]}${out.status === 'not-cancellable' ? ` (${out.state})` : ''}`);
      return ok ? exitCodes.ok : exitCodes.failure;
    });
  },
};
