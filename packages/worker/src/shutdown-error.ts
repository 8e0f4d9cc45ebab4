/** The reason on a handler's signal when the worker stops before the handler finished. */
export class WorkerShutdownError extends Error {
  readonly code = 'ESJOBS_WORKER_SHUTDOWN';

  constructor(message = 'the worker is shutting down; the job is released to its queue') {
    super(message);
    this.name = 'WorkerShutdownError';
  }
}
