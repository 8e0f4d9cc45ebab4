/** `esjobs locks list [--json]`: every lock document (held or free) with owner, fence and expiry. */
import { LockManager } from '@esjobs/core';
import { type Command, exitCodes } from '../command.js';
import { connectionFlags, isoOrDash, jsonFlag, printJson, printTable, wantsJson, withConnection } from './scheduler-admin-support.js';

export const locksList: Command = {
  path: ['locks', 'list'],
  summary: 'list locks: owner, fence, expiry, held or free',
  flags: [...connectionFlags, jsonFlag],
  run: async (cmd) =>
    withConnection(cmd, async (c) => {
      const locks = await new LockManager({ ctx: c.ctx }).listLocks();
      if (wantsJson(cmd)) {
        printJson(cmd, {
          locks: locks.map((l) => ({ resource: l.resource, owner: l.owner, fence: l.fence, held: l.held, acquiredAt: isoOrDash(l.acquiredAt), expiresAt: isoOrDash(l.expiresAt), releasedAt: l.releasedAt === null ? null : isoOrDash(l.releasedAt) })),
        });
        return exitCodes.ok;
      }
      printTable(
        cmd,
        ['resource', 'held', 'owner', 'fence', 'expires'],
        locks.map((l) => [l.resource, l.held ? 'yes' : 'no', l.owner ?? '-', String(l.fence), isoOrDash(l.expiresAt)]),
      );
      return exitCodes.ok;
    }),
};
