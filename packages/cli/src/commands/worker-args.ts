/**
 * Flags of `esjobs worker start`, each also read from an `ESJOBS_*` environment variable (flags
 * win). Everything is validated here so a typo exits with a message naming the flag before any
 * connection is attempted.
 */
import { parseArgs } from 'node:util';
import { ValidationError, parseDuration, validatePrefix, validateQueueName } from '@esjobs/core';
import { type LogFormat, type LogLevel, logFormats, logLevels } from './worker-log.js';

export interface WorkerStartArgs {
  readonly help: boolean;
  readonly jobs: string | undefined;
  readonly es: string | undefined;
  readonly queues: readonly string[] | undefined;
  readonly concurrency: number | undefined;
  readonly prefix: string | undefined;
  readonly leaseMs: number | undefined;
  readonly shutdownTimeoutMs: number | undefined;
  readonly queueLimits: Readonly<Record<string, number>>;
  readonly logFormat: LogFormat;
  readonly logLevel: LogLevel;
}

/** flag → environment variable */
export const workerEnvVars = {
  jobs: 'ESJOBS_JOBS',
  es: 'ESJOBS_ES_URL',
  queues: 'ESJOBS_QUEUES',
  concurrency: 'ESJOBS_CONCURRENCY',
  prefix: 'ESJOBS_PREFIX',
  lease: 'ESJOBS_LEASE',
  'shutdown-timeout': 'ESJOBS_SHUTDOWN_TIMEOUT',
  'queue-limit': 'ESJOBS_QUEUE_LIMITS',
  'log-format': 'ESJOBS_LOG_FORMAT',
  'log-level': 'ESJOBS_LOG_LEVEL',
} as const;

export const workerStartUsage = `Usage: esjobs worker start --jobs PATH [options]

Runs the handlers exported by PATH (.js, .mjs or .ts; named exports or a default array of
defineJob() results) against the jobs in Elasticsearch.

Options (each also from the environment variable shown):
  --jobs PATH              job definitions module                       ESJOBS_JOBS
  --es URL                 Elasticsearch URL                            ESJOBS_ES_URL
  --queues a,b             queues to work on (default: default)          ESJOBS_QUEUES
  --concurrency N          jobs run at once by this worker (default 10)  ESJOBS_CONCURRENCY
  --prefix P               index prefix (default esjobs)                 ESJOBS_PREFIX
  --lease 30s              job lease; heartbeats every third of it       ESJOBS_LEASE
  --shutdown-timeout 30s   time running jobs get to finish on SIGTERM    ESJOBS_SHUTDOWN_TIMEOUT
  --queue-limit q=N        cluster-wide limit of running jobs of queue q ESJOBS_QUEUE_LIMITS (q=N,r=M)
                           (repeatable; give every worker the same limits)
  --log-format json|pretty (default pretty)                              ESJOBS_LOG_FORMAT
  --log-level debug|info|warn|error (default info)                       ESJOBS_LOG_LEVEL
Credentials: ESJOBS_ES_API_KEY, ESJOBS_ES_USERNAME/ESJOBS_ES_PASSWORD, ESJOBS_ES_BEARER,
ESJOBS_ES_CA_FILE, ESJOBS_ES_CA_FINGERPRINT.
SIGTERM/SIGINT: stop claiming, let running jobs finish, release the rest; a second signal forces.`;

type Env = Readonly<Record<string, string | undefined>>;
/** Parsed flag values (from the CLI's flag parser, or parseArgs in tests). */
export type WorkerFlagValues = Readonly<Record<string, string | boolean | readonly string[] | undefined>>;

/** The flag specs, for the CLI's parser and help. */
export const workerStartFlags = [
  { name: 'jobs', type: 'string', valueName: 'PATH', description: 'module exporting job definitions (.js, .mjs or .ts)' },
  { name: 'es', type: 'string', valueName: 'URL', description: `Elasticsearch URL (or ${workerEnvVars.es})` },
  { name: 'queues', type: 'string', valueName: 'a,b', description: 'queues to work on', defaultText: 'default' },
  { name: 'concurrency', type: 'string', valueName: 'N', description: 'jobs run at once by this worker', defaultText: '10' },
  { name: 'prefix', type: 'string', valueName: 'P', description: 'index prefix', defaultText: 'esjobs' },
  { name: 'lease', type: 'string', valueName: 'DURATION', description: 'job lease; heartbeats every third of it', defaultText: '30s' },
  { name: 'shutdown-timeout', type: 'string', valueName: 'DURATION', description: 'time running jobs get to finish on SIGTERM', defaultText: '30s' },
  { name: 'queue-limit', env: workerEnvVars['queue-limit'], type: 'string', valueName: 'QUEUE=N', description: `cluster-wide limit of running jobs of a queue; repeatable (or ${workerEnvVars['queue-limit']}=q=N,r=M)`, multiple: true },
  { name: 'log-format', type: 'string', valueName: 'json|pretty', description: 'log line format', defaultText: 'pretty' },
  { name: 'log-level', type: 'string', valueName: 'LEVEL', description: 'debug, info, warn or error', defaultText: 'info' },
] as const;

function pick(values: WorkerFlagValues, env: Env, flag: keyof typeof workerEnvVars): string | undefined {
  const v = values[flag];
  if (typeof v === 'string') return v;
  const e = env[workerEnvVars[flag]];
  return e === undefined || e === '' ? undefined : e;
}

function fieldOf(flag: string, fromFlag: boolean): string {
  return fromFlag ? `--${flag}` : workerEnvVars[flag as keyof typeof workerEnvVars];
}

/** Parse raw argv (for tests and direct use); the CLI passes its own parsed values to resolveWorkerStartArgs. */
export function parseWorkerStartArgs(argv: readonly string[], env: Env): WorkerStartArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: false,
      strict: true,
      options: {
        help: { type: 'boolean', short: 'h' },
        ...Object.fromEntries(workerStartFlags.map((f) => [f.name, { type: 'string' as const, ...('multiple' in f ? { multiple: true } : {}) }])),
      },
    });
  } catch (err) {
    throw new ValidationError('arguments', argv.join(' '), err instanceof Error ? err.message : String(err));
  }
  return resolveWorkerStartArgs(parsed.values as WorkerFlagValues, env);
}

/** Validate flag values (falling back to ESJOBS_* variables); throws ValidationError naming the flag or variable. */
export function resolveWorkerStartArgs(v: WorkerFlagValues, env: Env): WorkerStartArgs {
  const has = (flag: string): boolean => v[flag] !== undefined;

  const queuesRaw = pick(v, env, 'queues');
  const queues = queuesRaw?.split(',').map((q) => q.trim()).filter((q) => q !== '').map((q) => validateQueueName(q, fieldOf('queues', has('queues'))));
  if (queues !== undefined && queues.length === 0) throw new ValidationError(fieldOf('queues', has('queues')), queuesRaw, 'must list at least one queue');

  const concRaw = pick(v, env, 'concurrency');
  let concurrency: number | undefined;
  if (concRaw !== undefined) {
    concurrency = Number(concRaw);
    if (!/^\d+$/.test(concRaw) || concurrency < 1 || concurrency > 10_000) {
      throw new ValidationError(fieldOf('concurrency', has('concurrency')), concRaw, 'must be an integer from 1 to 10000');
    }
  }
  const prefixRaw = pick(v, env, 'prefix');
  const prefix = prefixRaw === undefined ? undefined : validatePrefix(prefixRaw, fieldOf('prefix', has('prefix')));
  const leaseRaw = pick(v, env, 'lease');
  const leaseMs = leaseRaw === undefined ? undefined : parseDuration(fieldOf('lease', has('lease')), leaseRaw);
  const stRaw = pick(v, env, 'shutdown-timeout');
  const shutdownTimeoutMs = stRaw === undefined ? undefined : parseDuration(fieldOf('shutdown-timeout', has('shutdown-timeout')), stRaw, { allowZero: true });

  const limitItems: { item: string; field: string }[] = [];
  const flagLimits = v['queue-limit'];
  if (Array.isArray(flagLimits)) for (const l of flagLimits) for (const item of String(l).split(',')) limitItems.push({ item, field: '--queue-limit' });
  else {
    const envLimits = env[workerEnvVars['queue-limit']];
    if (envLimits !== undefined && envLimits !== '') for (const item of envLimits.split(',')) limitItems.push({ item, field: workerEnvVars['queue-limit'] });
  }
  const queueLimits: Record<string, number> = {};
  for (const { item, field } of limitItems) {
    const m = /^\s*([^=\s]+)\s*=\s*(\d+)\s*$/.exec(item);
    if (m === null || m[1] === undefined || m[2] === undefined) throw new ValidationError(field, item, 'must be QUEUE=N, e.g. emails=5');
    const n = Number(m[2]);
    if (n < 1 || n > 10_000) throw new ValidationError(field, item, 'the limit must be an integer from 1 to 10000');
    queueLimits[validateQueueName(m[1], field)] = n;
  }

  const formatRaw = pick(v, env, 'log-format') ?? 'pretty';
  if (!(logFormats as readonly string[]).includes(formatRaw)) throw new ValidationError(fieldOf('log-format', has('log-format')), formatRaw, 'must be json or pretty');
  const levelRaw = pick(v, env, 'log-level') ?? 'info';
  if (!(logLevels as readonly string[]).includes(levelRaw)) throw new ValidationError(fieldOf('log-level', has('log-level')), levelRaw, 'must be debug, info, warn or error');

  return {
    help: v['help'] === true,
    jobs: pick(v, env, 'jobs'),
    es: pick(v, env, 'es'),
    queues,
    concurrency,
    prefix,
    leaseMs,
    shutdownTimeoutMs,
    queueLimits,
    logFormat: formatRaw as LogFormat,
    logLevel: levelRaw as LogLevel,
  };
}
