/**
 * Shared by the admin commands (enqueue, jobs, stats, dlq, schedules, locks, events) and
 * `scheduler start`: the common flags, connecting with `--es`/`ESJOBS_ES_URL` and `--prefix`,
 * turning bad input into usage errors, and output as aligned tables or stable JSON.
 */
import { type BackendContext, JobStore, ValidationError, createBackendContext, createClient, validatePrefix } from '@esjobs/core';
import { type CommandContext, type FlagSpec, UsageError, booleanFlag, stringFlag } from '../command.js';

export const esFlag: FlagSpec = { name: 'es', type: 'string', valueName: 'URL', description: 'Elasticsearch URL (or ESJOBS_ES_URL)' };
export const prefixFlag: FlagSpec = { name: 'prefix', type: 'string', valueName: 'P', description: 'index prefix', defaultText: 'esjobs' };
export const jsonFlag: FlagSpec = { name: 'json', type: 'boolean', description: 'print stable JSON instead of a table' };
export const connectionFlags: readonly FlagSpec[] = [esFlag, prefixFlag];

export interface AdminConnection {
  readonly ctx: BackendContext;
  readonly store: JobStore;
  readonly prefix: string;
  close(): Promise<void>;
}

/** Rethrow bad input as a usage error (exit 2), keeping the message that names the field and value. */
export function usage<T>(fn: () => T): T {
  const convert = (err: unknown): never => {
    if (err instanceof ValidationError) throw new UsageError(err.message);
    throw err;
  };
  try {
    const out = fn();
    // Async validation (a store call that validates first) rejects instead of throwing.
    return (out instanceof Promise ? out.catch(convert) : out) as T;
  } catch (err) {
    return convert(err);
  }
}

export function resolvePrefix(cmd: CommandContext): string | undefined {
  const p = stringFlag(cmd.flags, 'prefix');
  return p === undefined ? undefined : usage(() => validatePrefix(p, '--prefix'));
}

/** Connect with `--es` (else `ESJOBS_ES_URL` and the other `ESJOBS_ES_*` variables). */
export function connect(cmd: CommandContext): AdminConnection {
  const es = stringFlag(cmd.flags, 'es') ?? cmd.env['ESJOBS_ES_URL'];
  if (es === undefined || es === '') throw new UsageError('no Elasticsearch to talk to: pass --es URL or set ESJOBS_ES_URL');
  const prefix = resolvePrefix(cmd);
  const { client, node } = usage(() => createClient({ es }, cmd.env));
  const ctx = createBackendContext({ client, ...(prefix === undefined ? {} : { prefix }), ...(node === undefined ? {} : { node }) });
  const store = new JobStore(ctx);
  return {
    ctx,
    store,
    prefix: ctx.names.prefix,
    close: async () => {
      await store.close();
      await client.close();
    },
  };
}

/** Run `fn` with a connection that is always closed. */
export async function withConnection<T>(cmd: CommandContext, fn: (c: AdminConnection) => Promise<T>): Promise<T> {
  const c = connect(cmd);
  try {
    return await fn(c);
  } finally {
    await c.close();
  }
}

export function wantsJson(cmd: CommandContext): boolean {
  return booleanFlag(cmd.flags, 'json');
}

/** Pretty-printed JSON with a trailing newline-free block: the `--json` output of every command. */
export function printJson(cmd: CommandContext, value: unknown): void {
  cmd.stdout(JSON.stringify(value, null, 2));
}

/** Columns padded to their widest cell; `(none)` for no rows. */
export function printTable(cmd: CommandContext, headers: readonly string[], rows: readonly (readonly string[])[]): void {
  if (rows.length === 0) {
    cmd.stdout('(none)');
    return;
  }
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd();
  cmd.stdout(line(headers.map((h) => h.toUpperCase())));
  for (const r of rows) cmd.stdout(line(r));
}

export function isoOrDash(ms: number | string | null | undefined): string {
  if (ms === null || ms === undefined) return '-';
  return typeof ms === 'string' ? ms : new Date(ms).toISOString();
}

/** Exactly `n` positional arguments, named in the message. */
export function positionals(cmd: CommandContext, names: readonly string[]): string[] {
  if (cmd.args.length !== names.length) {
    throw new UsageError(`expected ${names.map((n) => n.toUpperCase()).join(' ')}, got ${cmd.args.length === 0 ? 'nothing' : cmd.args.map((a) => JSON.stringify(a)).join(' ')}`);
  }
  return [...cmd.args];
}
