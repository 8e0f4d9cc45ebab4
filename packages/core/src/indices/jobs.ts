/**
 * Mapping of `<prefix>-jobs`: one document per live job, all queues. `dynamic: strict` so a typo in
 * a write fails loudly; payload, result, progress, backoff and the error history are stored but
 * not indexed (`enabled: false`), so arbitrary user JSON never grows the mapping.
 */
export const jobFieldsMapping = {
  jobId: { type: 'keyword' },
  name: { type: 'keyword' },
  queue: { type: 'keyword' },
  state: { type: 'keyword' },
  priority: { type: 'integer' },
  runAt: { type: 'date' },
  enqueuedAt: { type: 'date' },
  startedAt: { type: 'date' },
  finishedAt: { type: 'date' },
  attempt: { type: 'integer' },
  maxAttempts: { type: 'integer' },
  backoff: { type: 'object', enabled: false },
  timeoutMs: { type: 'long' },
  payload: { type: 'object', enabled: false },
  result: { type: 'object', enabled: false },
  lease: {
    properties: {
      owner: { type: 'keyword' },
      claimId: { type: 'keyword' },
      expiresAt: { type: 'date' },
    },
  },
  stalls: { type: 'integer' },
  maxStalls: { type: 'integer' },
  errors: { type: 'object', enabled: false },
  lastError: { type: 'text', fields: { keyword: { type: 'keyword', ignore_above: 1024 } } },
  cancelRequested: { type: 'boolean' },
  progress: { type: 'object', enabled: false },
  deadLetter: { type: 'boolean' },
  redriving: { type: 'boolean' },
  scheduleName: { type: 'keyword' },
  fireTime: { type: 'date' },
  /** Hash of jobId into the claim partitions (jobs/partition.ts). */
  partition: { type: 'integer' },
  updatedAt: { type: 'date' },
} as const;

export const jobsMappings = {
  dynamic: 'strict',
  properties: jobFieldsMapping,
} as const;

/** Short refresh keeps claim candidates fresh enough; correctness never depends on it. */
export const jobsSettings = {} as const;
