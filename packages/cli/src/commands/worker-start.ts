/**
 * `esjobs worker start`: load the job definitions, connect, run a Worker until SIGTERM/SIGINT.
 * First signal: graceful shutdown (stop claiming, let running jobs finish within
 * --shutdown-timeout, then release the rest so other workers take them at once). A second signal
 * aborts running jobs and releases them at once; main.ts exits 130 (SIGINT) / 143 (SIGTERM) when
 * that is done, or after 2 s if it hangs (jobs not released by then come back at lease expiry).
 * Exit codes: 0 clean shutdown, 2 bad flags or configuration, 3 jobs module missing or invalid,
 * 4 cluster unreachable or credentials rejected, 1 anything else.
 */
import { AuthenticationError, ConnectionError, ValidationError, checkConnection, createClient } from '@esjobs/core';
import { Worker } from '@esjobs/worker';
import { type Command, UsageError } from '../command.js';
import { type WorkerFlagValues, type WorkerStartArgs, resolveWorkerStartArgs, workerEnvVars, workerStartFlags } from './worker-args.js';
import { JobsModuleError, loadJobs } from './worker-jobs-loader.js';
import { createCliLogger } from './worker-log.js';

export interface WorkerStartIo {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** One log line or message, without the trailing newline. */
  readonly stdout: (line: string) => void;
  readonly stderr: (line: string) => void;
  readonly cwd: string;
  /** Aborted on SIGTERM/SIGINT: graceful shutdown. */
  readonly signal: AbortSignal;
  /** Aborted on a second signal: abort running jobs and release them now. @defaultValue never */
  readonly forceSignal?: AbortSignal;
}

export const workerExitCodes = { ok: 0, failure: 1, usage: 2, jobsModule: 3, connection: 4 } as const;

export const noClusterHelp = `no Elasticsearch to connect to.
Point the worker at a cluster:  --es https://host:9200   (or set ${workerEnvVars.es})
  with credentials in ESJOBS_ES_API_KEY, or ESJOBS_ES_USERNAME + ESJOBS_ES_PASSWORD.
Or start the embedded engine in another terminal and use the URL it prints:
  esjobs engine start --data-dir ./esjobs-data
  esjobs worker start --jobs ./jobs.ts --es http://127.0.0.1:9200`;

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export async function runWorkerStart(args: WorkerStartArgs, io: WorkerStartIo): Promise<number> {
  if (args.jobs === undefined) {
    io.stderr(`esjobs worker start: --jobs PATH is required (or set ${workerEnvVars.jobs}); run "esjobs worker start --help" for usage`);
    return workerExitCodes.usage;
  }
  if (args.es === undefined) {
    io.stderr(`esjobs worker start: ${noClusterHelp}`);
    return workerExitCodes.usage;
  }
  const log = createCliLogger(args.logFormat, args.logLevel, { write: (s) => io.stdout(s.replace(/\n$/, '')) });

  let jobs;
  try {
    jobs = await loadJobs(args.jobs, io.cwd);
  } catch (err) {
    io.stderr(`esjobs worker start: ${message(err)}`);
    return err instanceof JobsModuleError ? workerExitCodes.jobsModule : workerExitCodes.failure;
  }

  let created;
  try {
    created = createClient({ es: args.es }, io.env);
  } catch (err) {
    io.stderr(`esjobs worker start: ${message(err)}`);
    return workerExitCodes.usage;
  }
  const { client, node } = created;
  try {
    try {
      const info = await checkConnection(client, { node });
      log.info('connected to Elasticsearch', { node: info.node, version: info.version });
    } catch (err) {
      io.stderr(`esjobs worker start: ${message(err)}`);
      return err instanceof ConnectionError || err instanceof AuthenticationError ? workerExitCodes.connection : workerExitCodes.failure;
    }
    let worker: Worker | undefined;
    try {
      worker = new Worker({
        es: client,
        jobs,
        logger: log,
        ...(args.prefix === undefined ? {} : { prefix: args.prefix }),
        ...(args.queues === undefined ? {} : { queues: args.queues }),
        ...(args.concurrency === undefined ? {} : { concurrency: args.concurrency }),
        ...(args.leaseMs === undefined ? {} : { leaseMs: args.leaseMs }),
        ...(args.shutdownTimeoutMs === undefined ? {} : { shutdownTimeoutMs: args.shutdownTimeoutMs }),
        queueLimits: args.queueLimits,
      });
      const w = worker;
      const stopped = new Promise<void>((resolve) => w.events.on('worker:offline', () => resolve()));
      const onSignal = (): void => {
        log.info('signal received: shutting down gracefully (a second signal aborts and releases running jobs)', { running: w.runningCount, shutdownTimeoutMs: w.options.shutdownTimeoutMs });
        void w.stop();
      };
      const onForce = (): void => {
        log.warn('second signal: aborting running jobs and releasing them now', { running: w.runningCount });
        void w.stop({ timeout: 0 });
      };
      io.signal.addEventListener('abort', onSignal, { once: true });
      io.forceSignal?.addEventListener('abort', onForce, { once: true });
      await w.start();
      // CPU used from ready to shutdown (start-up excluded): what the jobs cost this process.
      const cpuAtReady = process.cpuUsage();
      if (io.forceSignal?.aborted === true) void w.stop({ timeout: 0 });
      else if (io.signal.aborted) void w.stop();
      await stopped;
      io.signal.removeEventListener('abort', onSignal);
      io.forceSignal?.removeEventListener('abort', onForce);
      const cpu = process.cpuUsage(cpuAtReady);
      log.info('shutdown complete', { ...w.stats, settleRequests: w.settleRequests, cpuMs: Math.round((cpu.user + cpu.system) / 1000) });
      return workerExitCodes.ok;
    } catch (err) {
      io.stderr(`esjobs worker start: ${message(err)}`);
      if (worker !== undefined && worker.status !== 'stopped') await worker.stop({ timeout: 0 }).catch(() => undefined);
      if (err instanceof ValidationError) return workerExitCodes.usage;
      return err instanceof ConnectionError || err instanceof AuthenticationError ? workerExitCodes.connection : workerExitCodes.failure;
    }
  } finally {
    await client.close().catch(() => undefined);
  }
}

export const workerStart: Command = {
  path: ['worker', 'start'],
  summary: 'run job handlers: claim jobs under leases, heartbeat, retry, shut down gracefully',
  flags: workerStartFlags,
  details: `Every flag is also read from an environment variable: ${Object.values(workerEnvVars).join(', ')}.
Credentials: ESJOBS_ES_API_KEY, ESJOBS_ES_USERNAME + ESJOBS_ES_PASSWORD, ESJOBS_ES_BEARER, ESJOBS_ES_CA_FILE.
SIGTERM/SIGINT: stop claiming, let running jobs finish within --shutdown-timeout, release the rest.
A second signal: abort running jobs and release them at once; exit 130 (SIGINT) / 143 (SIGTERM)
when done, or after 2 s at the latest.
Exit codes: 0 clean shutdown, 2 bad flags, 3 bad jobs module, 4 cluster unreachable, 1 other.`,
  run: async (ctx) => {
    let args: WorkerStartArgs;
    try {
      args = resolveWorkerStartArgs(ctx.flags as WorkerFlagValues, ctx.env);
    } catch (err) {
      if (err instanceof ValidationError) throw new UsageError(err.message);
      throw err;
    }
    return runWorkerStart(args, { env: ctx.env, stdout: ctx.stdout, stderr: ctx.stderr, cwd: process.cwd(), signal: ctx.signal, forceSignal: ctx.forceSignal });
  },
};
