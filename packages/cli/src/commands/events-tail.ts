/**
 * `esjobs events tail [--queue Q] [--since 1m] [--limit N] [--json]`: follow the cross-process
 * event log (`<prefix>-events`) until SIGINT/SIGTERM, or until N events were printed. Human
 * output is one line per event; `--json` prints one JSON object per line (`{"event": …, …payload}`).
 */
import { type EsJobsEvents, type EventName, EventBus, ValidationError, createEsEventTransport, eventNames, parseDuration } from '@esjobs/core';
import { type Command, UsageError, exitCodes, stringFlag } from '../command.js';
import { connectionFlags, jsonFlag, positionals, usage, wantsJson, withConnection } from './scheduler-admin-support.js';
import { parseLimit } from './dlq-list.js';

function describe(event: EventName, p: Readonly<Record<string, unknown>>): string {
  const skip = new Set(['at', 'origin']);
  const parts = Object.entries(p)
    .filter(([k, v]) => !skip.has(k) && v !== undefined)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
  return `${new Date(typeof p['at'] === 'number' ? p['at'] : 0).toISOString()} ${event} ${parts.join(' ')}`.trimEnd();
}

export const eventsTail: Command = {
  path: ['events', 'tail'],
  summary: 'follow events from every process (jobs, workers, schedules, locks, maintenance)',
  flags: [
    ...connectionFlags,
    { name: 'queue', type: 'string', valueName: 'Q', description: 'only events of this queue' },
    { name: 'since', type: 'string', valueName: 'DURATION', description: 'start this far back', defaultText: '1m' },
    { name: 'limit', type: 'string', valueName: 'N', description: 'exit after N events' },
    jsonFlag,
  ],
  run: async (cmd) => {
    positionals(cmd, []);
    const queue = stringFlag(cmd.flags, 'queue');
    const sinceRaw = stringFlag(cmd.flags, 'since');
    const sinceMs = sinceRaw === undefined ? 60_000 : usage(() => parseDuration('--since', sinceRaw, { allowZero: true }));
    const limitRaw = stringFlag(cmd.flags, 'limit');
    const limit = limitRaw === undefined ? Infinity : parseLimit(limitRaw, 1);
    if (queue !== undefined && queue.trim() === '') throw new UsageError(new ValidationError('--queue', queue, 'must not be empty').message);
    const json = wantsJson(cmd);
    return withConnection(cmd, async (c) => {
      const bus = new EventBus();
      const done = new AbortController();
      let printed = 0;
      const print = <E extends EventName>(event: E, payload: EsJobsEvents[E]): void => {
        if (printed >= limit) return;
        const p = payload as unknown as Readonly<Record<string, unknown>>;
        if (queue !== undefined && p['queue'] !== queue) return;
        printed++;
        cmd.stdout(json ? JSON.stringify({ event, ...p }) : describe(event, p));
        if (printed >= limit) done.abort();
      };
      for (const name of eventNames) bus.on(name, (p) => print(name, p));
      const transport = createEsEventTransport({ ctx: c.ctx, bus, publish: false, lookback: sinceMs }).start();
      const onSignal = (): void => done.abort();
      cmd.signal.addEventListener('abort', onSignal, { once: true });
      if (cmd.signal.aborted) done.abort();
      await new Promise<void>((resolve) => done.signal.addEventListener('abort', () => resolve(), { once: true }));
      cmd.signal.removeEventListener('abort', onSignal);
      await transport.close();
      return exitCodes.ok;
    });
  },
};
