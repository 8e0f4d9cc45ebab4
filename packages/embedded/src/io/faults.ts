import type { EngineResponse, RequestKind } from '../contracts.js';
import type { EnginePort } from './engine-port.js';

/** Faults applied to requests of one kind (or to all). Probabilities are 0..1 per request. */
export interface FaultRule {
  /**
   * Added latency before the request is handled: a fixed number of ms or a `[min, max]` range.
   * @defaultValue 0
   */
  readonly latencyMs?: number | readonly [number, number];
  /**
   * Probability of answering 429 `es_rejected_execution_exception` without handling the request.
   * @defaultValue 0
   */
  readonly rejectProbability?: number;
  /**
   * Probability of answering a 5xx without handling the request.
   * @defaultValue 0
   */
  readonly errorProbability?: number;
  /**
   * Status used for injected 5xx. The official clients retry 502/503/504 themselves.
   * @defaultValue 503
   */
  readonly errorStatus?: 500 | 502 | 503 | 504;
  /**
   * Probability of dropping the connection without a response (request not handled).
   * @defaultValue 0
   */
  readonly dropProbability?: number;
  /**
   * Probability of dropping the connection after the request was handled (the write happened,
   * the client never hears of it).
   * @defaultValue 0
   */
  readonly dropAfterProbability?: number;
}

export interface FaultOptions {
  /** Rule applied to every request kind without its own rule. @defaultValue none */
  readonly all?: FaultRule;
  /** Rules per request kind; a kind's rule replaces `all` for that kind. @defaultValue none */
  readonly byKind?: Partial<Record<RequestKind, FaultRule>>;
  /**
   * Extra delay before a refresh becomes visible to search (engine.setRefreshDelay).
   * @defaultValue 0
   */
  readonly refreshDelayMs?: number;
}

export const faultProfiles = {
  /** No faults. */
  none: {},
  /**
   * Something like a small real cluster: 1–3 ms on every request and an occasional 429 on bulk
   * and search. (`refresh_interval` 1 s is the engine's default already.)
   */
  realistic: {
    all: { latencyMs: [1, 3] },
    byKind: {
      bulk: { latencyMs: [1, 3], rejectProbability: 0.01 },
      search: { latencyMs: [1, 3], rejectProbability: 0.01 },
    },
  },
} as const satisfies Record<string, FaultOptions>;

export type FaultProfileName = keyof typeof faultProfiles;

export function isFaultProfileName(name: string): name is FaultProfileName {
  return Object.hasOwn(faultProfiles, name);
}

/** What to do with one request, decided before it reaches the engine. */
export type FaultDecision =
  | { readonly action: 'pass'; readonly delayMs: number; readonly dropAfter: boolean }
  | { readonly action: 'respond'; readonly delayMs: number; readonly response: EngineResponse }
  | { readonly action: 'drop'; readonly delayMs: number };

export interface FaultCounts {
  delayed: number;
  rejected: number;
  errored: number;
  dropped: number;
}

/**
 * Fault injection shared by both transports. Reconfigurable at runtime so chaos tests can turn
 * faults on and off around the step they exercise.
 */
export class Faults {
  private options: FaultOptions = {};
  private engine: EnginePort | undefined;
  readonly counts: FaultCounts = { delayed: 0, rejected: 0, errored: 0, dropped: 0 };

  constructor(
    options: FaultOptions | FaultProfileName = {},
    private readonly random: () => number = Math.random,
  ) {
    this.set(options);
  }

  /** Connects the engine so `refreshDelayMs` reaches it; done by the transports. */
  attach(engine: EnginePort): void {
    this.engine = engine;
    this.applyRefreshDelay();
  }

  /** Replaces the whole configuration (a profile name or options). */
  set(options: FaultOptions | FaultProfileName): void {
    const resolved = typeof options === 'string' ? faultProfiles[options] : options;
    validateFaultOptions(resolved);
    this.options = resolved;
    this.applyRefreshDelay();
  }

  /** Replaces the rule of one kind, keeping the rest. */
  setRule(kind: RequestKind | 'all', rule: FaultRule | undefined): void {
    if (rule) validateRule(rule, kind);
    if (kind === 'all') {
      this.options = { ...this.options, all: rule };
    } else {
      this.options = { ...this.options, byKind: { ...this.options.byKind, [kind]: rule } };
    }
  }

  setRefreshDelay(ms: number): void {
    validateMs(ms, 'refreshDelayMs');
    this.options = { ...this.options, refreshDelayMs: ms };
    this.applyRefreshDelay();
  }

  /** Turns every fault off. */
  clear(): void {
    this.set({});
  }

  get current(): FaultOptions {
    return this.options;
  }

  decide(kind: RequestKind): FaultDecision {
    const rule = this.options.byKind?.[kind] ?? this.options.all;
    if (!rule) return PASS;
    const delayMs = this.latency(rule.latencyMs);
    if (delayMs > 0) this.counts.delayed++;
    if (this.chance(rule.dropProbability)) {
      this.counts.dropped++;
      return { action: 'drop', delayMs };
    }
    if (this.chance(rule.rejectProbability)) {
      this.counts.rejected++;
      return { action: 'respond', delayMs, response: rejectedExecution(kind) };
    }
    if (this.chance(rule.errorProbability)) {
      this.counts.errored++;
      return { action: 'respond', delayMs, response: serverError(rule.errorStatus ?? 503) };
    }
    const dropAfter = this.chance(rule.dropAfterProbability);
    if (dropAfter) this.counts.dropped++;
    return { action: 'pass', delayMs, dropAfter };
  }

  private chance(p: number | undefined): boolean {
    return p !== undefined && p > 0 && this.random() < p;
  }

  private latency(spec: FaultRule['latencyMs']): number {
    if (spec === undefined) return 0;
    if (typeof spec === 'number') return spec;
    const [min, max] = spec;
    return min + this.random() * (max - min);
  }

  private applyRefreshDelay(): void {
    this.engine?.setRefreshDelay?.(this.options.refreshDelayMs ?? 0);
  }
}

const PASS: FaultDecision = { action: 'pass', delayMs: 0, dropAfter: false };

export function validateFaultOptions(options: FaultOptions): void {
  if (options.all) validateRule(options.all, 'all');
  for (const [kind, rule] of Object.entries(options.byKind ?? {})) {
    if (rule) validateRule(rule, kind);
  }
  if (options.refreshDelayMs !== undefined) validateMs(options.refreshDelayMs, 'refreshDelayMs');
}

function validateRule(rule: FaultRule, where: string): void {
  for (const key of ['rejectProbability', 'errorProbability', 'dropProbability', 'dropAfterProbability'] as const) {
    const p = rule[key];
    if (p !== undefined && !(typeof p === 'number' && p >= 0 && p <= 1)) {
      throw new RangeError(`faults.${where}.${key} must be a number between 0 and 1, got ${String(p)}`);
    }
  }
  const l = rule.latencyMs;
  if (typeof l === 'number') validateMs(l, `${where}.latencyMs`);
  else if (l !== undefined) {
    validateMs(l[0], `${where}.latencyMs[0]`);
    validateMs(l[1], `${where}.latencyMs[1]`);
    if (l[1] < l[0]) throw new RangeError(`faults.${where}.latencyMs must be [min, max] with min <= max, got [${l[0]}, ${l[1]}]`);
  }
  if (rule.errorStatus !== undefined && ![500, 502, 503, 504].includes(rule.errorStatus)) {
    throw new RangeError(`faults.${where}.errorStatus must be 500, 502, 503 or 504, got ${String(rule.errorStatus)}`);
  }
}

function validateMs(ms: number, field: string): void {
  if (!(typeof ms === 'number' && Number.isFinite(ms) && ms >= 0)) {
    throw new RangeError(`faults.${field} must be a finite number of ms >= 0, got ${String(ms)}`);
  }
}

let rejectionCounter = 0;

/** The body Elasticsearch sends when a thread pool queue or indexing pressure rejects a request. */
export function rejectedExecution(kind: RequestKind): EngineResponse {
  const n = ++rejectionCounter;
  const reason = WRITE_KINDS.has(kind)
    ? `rejected execution of coordinating operation [coordinating_and_primary_bytes=${107_000_000 + n}, replica_bytes=0, all_bytes=${107_000_000 + n}, coordinating_operation_bytes=${4096 + n}, max_coordinating_and_primary_bytes=107374182]`
    : `rejected execution of TimedRunnable{original=ActionRunnable#wrap[org.elasticsearch.search.SearchService$$Lambda@${n.toString(16)}], creationTimeNanos=${n}, startTimeNanos=0, finishTimeNanos=-1, failedOrRejected=false} on TaskExecutionTimeTrackingEsThreadPoolExecutor[name = embedded/${kind === 'search' || kind === 'count' ? 'search' : 'management'}, queue capacity = 1000, task execution EWMA = 1ms, total task execution time = 1s, org.elasticsearch.common.util.concurrent.TaskExecutionTimeTrackingEsThreadPoolExecutor@${n.toString(16)}[Running, pool size = 4, active threads = 4, queued tasks = 1000, completed tasks = ${n}]]`;
  const cause = { type: 'es_rejected_execution_exception', reason };
  return { status: 429, body: { error: { root_cause: [cause], ...cause }, status: 429 } };
}

const WRITE_KINDS: ReadonlySet<RequestKind> = new Set(['index', 'update', 'delete', 'bulk', 'delete_by_query']);

function serverError(status: 500 | 502 | 503 | 504): EngineResponse {
  const cause =
    status === 503
      ? { type: 'cluster_block_exception', reason: 'blocked by: [SERVICE_UNAVAILABLE/2/no master];' }
      : status === 500
        ? { type: 'exception', reason: 'injected internal server error' }
        : { type: 'exception', reason: `injected ${status} error` };
  return { status, body: { error: { root_cause: [cause], ...cause }, status } };
}
