/**
 * `esjobs worker start`: load the job definitions, connect, run a Worker until SIGTERM/SIGINT.
 * First signal: graceful shutdown (stop claiming, let running jobs finish within
 * --shutdown-timeout, release the rest). Second signal: abort and release at once.
 * Exit codes: 0 clean shutdown, 2 bad flags or configuration, 3 jobs module missing or invalid,
 * 4 cluster unreachable or credentials rejected, 1 anything else (130 after a forced stop).
 */
import { AuthenticationError, ConnectionError, ValidationError, checkConnection, createClient } from '@esjobs/core';
import { Worker } from '@esjobs/worker';
import { parseWorkerStartArgs, workerEnvVars, workerStartUsage } from './worker-args.js';
import { JobsModuleError, loadJobs } from './worker-jobs-loader.js';
import { type LineWriter, createCliLogger } from './worker-log.js';

export interface WorkerStartIo {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdout: LineWriter;
  readonly stderr: LineWriter;
  readonly cwd: string;
}

export const exitCodes = { ok: 0, failure: 1, usage: 2, jobsModule: 3, connection: 4, forced: 130 } as const;

const noClusterHelp = `esjobs worker start: no Elasticsearch to connect to.
Point it at a cluster:      --es https://host:9200   (or set ${workerEnvVars.es})
  with credentials in ESJOBS_ES_API_KEY, or ESJOBS_ES_USERNAME + ESJOBS_ES_PASSWORD.
Or start the embedded engine in another terminal and use the URL it prints:
  esjobs engine start --data-dir ./esjobs-data
  esjobs worker start --jobs ./jobs.ts --es http://127.0.0.1:9200
`;

function defaultIo(): WorkerStartIo {
  return {
    env: process.env,
    stdout: { write: (s) => void process.stdout.write(s) },
    stderr: { write: (s) => void process.stderr.write(s) },
    cwd: process.cwd(),
  };
}

export async function runWorkerStart(argv: readonly string[], io: WorkerStartIo = defaultIo()): Promise<number> {
  let args;
  try {
    args = parseWorkerStartArgs(argv, io.env);
  } catch (err) {
    io.stderr.write(`esjobs worker start: ${err instanceof Error ? err.message : String(err)}\n\n${workerStartUsage}\n`);
    return exitCodes.usage;
  }
  if (args.help) {
    io.stdout.write(`${workerStartUsage}\n`);
    return exitCodes.ok;
  }
  if (args.jobs === undefined) {
    io.stderr.write(`esjobs worker start: --jobs PATH is required (or set ${workerEnvVars.jobs})\n\n${workerStartUsage}\n`);
    return exitCodes.usage;
  }
  if (args.es === undefined) {
    io.stderr.write(noClusterHelp);
    return exitCodes.usage;
  }
  const log = createCliLogger(args.logFormat, args.logLevel, io.stdout);

  let jobs;
  try {
    jobs = await loadJobs(args.jobs, io.cwd);
  } catch (err) {
    io.stderr.write(`esjobs worker start: ${err instanceof Error ? err.message : String(err)}\n`);
    return err instanceof JobsModuleError ? exitCodes.jobsModule : exitCodes.failure;
  }

  let created;
  try {
    created = createClient({ es: args.es }, io.env);
  } catch (err) {
    io.stderr.write(`esjobs worker start: ${err instanceof Error ? err.message : String(err)}\n`);
    return exitCodes.usage;
  }
  const { client, node } = created;
  let worker: Worker | undefined;
  const signals: NodeJS.Signals[] = ['SIGTERM', 'SIGINT'];
  let received = 0;
  let exitCode: number = exitCodes.ok;
  const onSignal = (signal: NodeJS.Signals): void => {
    received++;
    if (received === 1) {
      log.info(`received ${signal}: shutting down gracefully (send it again to force)`, { shutdownTimeoutMs: worker?.options.shutdownTimeoutMs });
      void worker?.stop();
    } else {
      log.warn(`received ${signal} again: aborting running jobs and releasing them now`);
      exitCode = exitCodes.forced;
      void worker?.stop({ timeout: 0 });
    }
  };
  for (const s of signals) process.on(s, onSignal);
  try {
    try {
      const info = await checkConnection(client, { node });
      log.info('connected to Elasticsearch', { node: info.node, version: info.version });
    } catch (err) {
      io.stderr.write(`esjobs worker start: ${err instanceof Error ? err.message : String(err)}\n`);
      return err instanceof ConnectionError || err instanceof AuthenticationError ? exitCodes.connection : exitCodes.failure;
    }
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
      const stopped = new Promise<void>((resolve) => worker?.events.on('worker:offline', () => resolve()));
      await worker.start();
      if (received > 0) void worker.stop();
      await stopped;
      log.info('shutdown complete', { exitCode });
      return exitCode;
    } catch (err) {
      const code = err instanceof ValidationError ? exitCodes.usage : err instanceof ConnectionError || err instanceof AuthenticationError ? exitCodes.connection : exitCodes.failure;
      io.stderr.write(`esjobs worker start: ${err instanceof Error ? err.message : String(err)}\n`);
      if (worker !== undefined && worker.status !== 'stopped') await worker.stop({ timeout: 0 }).catch(() => undefined);
      return code;
    }
  } finally {
    for (const s of signals) process.off(s, onSignal);
    await client.close().catch(() => undefined);
  }
}
