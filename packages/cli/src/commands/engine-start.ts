import type { AuthOptions, StartEngineOptions } from '@esjobs/embedded';
import { isFaultProfileName, parseByteSize, startEngine } from '@esjobs/embedded';
import type { Command, CommandContext } from '../command.js';
import { UsageError, booleanFlag, exitCodes, listFlag, stringFlag } from '../command.js';

export const engineStartHostDefault = '127.0.0.1';
export const engineStartPortDefault = 9200;

/** `esjobs engine start`: the embedded Elasticsearch-compatible engine over HTTP. */
export const engineStart: Command = {
  path: ['engine', 'start'],
  summary: 'run the embedded Elasticsearch-compatible engine over HTTP',
  flags: [
    { name: 'host', type: 'string', valueName: 'HOST', description: 'interface to bind', defaultText: engineStartHostDefault },
    { name: 'port', type: 'string', valueName: 'PORT', description: 'TCP port (0 = any free port)', defaultText: String(engineStartPortDefault) },
    { name: 'data-dir', type: 'string', valueName: 'DIR', description: 'keep data durable in DIR (default: in memory)' },
    { name: 'fsync', type: 'boolean', description: 'fdatasync before acknowledging writes (power-loss safety)', defaultText: 'false' },
    { name: 'user', type: 'string', valueName: 'USER', description: 'require basic auth with this user (with --password)' },
    { name: 'password', type: 'string', valueName: 'PASSWORD', description: 'password for --user (prefer ESJOBS_PASSWORD)', secret: true },
    { name: 'api-key', type: 'string', valueName: 'ID:KEY', description: 'accept this API key (Authorization: ApiKey base64(ID:KEY))', multiple: true, secret: true },
    { name: 'max-body', type: 'string', valueName: 'SIZE', description: 'largest request body, like http.max_content_length', defaultText: '100mb' },
    { name: 'profile', type: 'string', valueName: 'NAME', description: 'fault profile: none or realistic (1–3 ms latency, occasional 429s)', defaultText: 'none' },
  ],
  details: 'Prints the URL once ready. SIGTERM or SIGINT shuts down cleanly (exit 0).',
  async run(ctx: CommandContext): Promise<number> {
    const options = engineStartOptions(ctx);
    const started = await startEngine({
      ...options,
      journal: { onWarning: (m) => ctx.stderr(`esjobs engine: ${m}`) },
    });
    const recovery = started.recovery;
    if (recovery) {
      ctx.stderr(`esjobs engine: recovered ${recovery.snapshotRecords + recovery.logRecords} records from ${options.dataDir ?? ''}`);
    }
    ctx.stdout(`esjobs engine listening on ${started.url}`);
    await new Promise<void>((resolve) => {
      if (ctx.signal.aborted) resolve();
      else ctx.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    await started.close();
    ctx.stderr('esjobs engine: stopped');
    return exitCodes.ok;
  },
};

/** Flag values → startEngine options, with usage errors naming the flag and value. */
export function engineStartOptions(ctx: CommandContext): StartEngineOptions {
  const host = stringFlag(ctx.flags, 'host') ?? engineStartHostDefault;
  const portText = stringFlag(ctx.flags, 'port');
  const port = portText === undefined ? engineStartPortDefault : Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be an integer 0..65535, got "${portText ?? ''}"`);
  const maxBodyText = stringFlag(ctx.flags, 'max-body');
  let maxBody: number | undefined;
  if (maxBodyText !== undefined) {
    try {
      maxBody = parseByteSize(maxBodyText, '--max-body');
    } catch (err) {
      throw new UsageError(err instanceof Error ? err.message : String(err));
    }
  }
  const profile = stringFlag(ctx.flags, 'profile') ?? 'none';
  if (!isFaultProfileName(profile)) throw new UsageError(`--profile must be none or realistic, got "${profile}"`);
  return {
    host,
    port,
    dataDir: stringFlag(ctx.flags, 'data-dir'),
    fsync: booleanFlag(ctx.flags, 'fsync'),
    maxBody,
    faults: profile,
    auth: authOptions(ctx),
  };
}

function authOptions(ctx: CommandContext): AuthOptions | undefined {
  const user = stringFlag(ctx.flags, 'user');
  const password = stringFlag(ctx.flags, 'password');
  if ((user === undefined) !== (password === undefined)) throw new UsageError('--user and --password go together');
  const apiKeys = listFlag(ctx.flags, 'api-key').map((raw, i) => {
    const colon = raw.indexOf(':');
    // Never echo the key itself.
    if (colon <= 0 || colon === raw.length - 1) throw new UsageError(`--api-key #${i + 1} must look like ID:KEY`);
    return { id: raw.slice(0, colon), key: raw.slice(colon + 1) };
  });
  if (user === undefined && apiKeys.length === 0) return undefined;
  return { ...(user !== undefined && password !== undefined ? { users: { [user]: password } } : {}), apiKeys };
}
