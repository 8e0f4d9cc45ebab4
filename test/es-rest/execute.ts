/**
 * Runs one YAML test: prerequisites and scope first, then setup, the test's steps and teardown
 * against the target, then the wipe Elasticsearch's runner does between tests.
 */
import { buildRequest, RequestBuildError } from './api-specs.js';
import type { ApiSpecs, HttpRequest } from './api-specs.js';
import { AssertionFailure, isAssertionKind, runAssertion } from './assertions.js';
import { show } from './compare.js';
import type { HttpResponse, RequestSender } from './http-client.js';
import { evaluatePrerequisite } from './prerequisites.js';
import type { ClusterInfo, SkipDecision } from './prerequisites.js';
import { scopeSkip, toDoCall } from './scope.js';
import { Stash } from './stash.js';
import type { Step, Suite, TestCase } from './suite.js';

export type TestStatus = 'passed' | 'failed' | 'skipped';

export interface TestResult {
  readonly file: string;
  readonly name: string;
  readonly status: TestStatus;
  /** Why it failed or was skipped, one line. */
  readonly reason?: string;
  /** Skip category (for the per-reason count) or failing API (for grouping failures). */
  readonly category?: string;
  /** Request and response of the failing step, for `--verbose`. */
  readonly detail?: string;
  readonly durationMs: number;
}

export interface ExecuteContext {
  readonly client: RequestSender;
  readonly specs: ApiSpecs;
  readonly cluster: ClusterInfo;
  /** Remove every index and template (and whatever else the target keeps) between tests. */
  readonly wipe: () => Promise<void>;
}

/** A step failure: the reason plus the exchange that led to it. */
class StepFailure extends Error {
  override readonly name = 'StepFailure';
  constructor(
    message: string,
    readonly api: string,
    readonly detail?: string,
  ) {
    super(message);
  }
}

/** Named `catch` values and the statuses they accept (Elasticsearch's DoSection). */
const namedCatches: Readonly<Record<string, (status: number) => boolean>> = {
  bad_request: (s) => s === 400,
  unauthorized: (s) => s === 401,
  forbidden: (s) => s === 403,
  missing: (s) => s === 404,
  request_timeout: (s) => s === 408,
  conflict: (s) => s === 409,
  unavailable: (s) => s === 503,
  // any other error status
  request: (s) => s >= 400 && ![400, 401, 403, 404, 408, 409].includes(s),
};

async function prerequisitesOf(steps: readonly Step[], cluster: ClusterInfo): Promise<SkipDecision | undefined> {
  for (const step of steps) {
    if (step.kind !== 'skip' && step.kind !== 'requires') continue;
    const decision = await evaluatePrerequisite(step.kind, step.value, cluster);
    if (decision !== undefined) return decision;
  }
  return undefined;
}

/** Decide whether a test is skipped, without running anything. */
export async function skipDecision(suite: Suite, test: TestCase, ctx: ExecuteContext): Promise<SkipDecision | undefined> {
  return (
    (await prerequisitesOf(suite.setup, ctx.cluster)) ??
    (await prerequisitesOf(test.steps, ctx.cluster)) ??
    (await prerequisitesOf(suite.teardown, ctx.cluster)) ??
    scopeSkip([...suite.setup, ...test.steps, ...suite.teardown], ctx.specs)
  );
}

export async function executeTest(suite: Suite, test: TestCase, ctx: ExecuteContext): Promise<TestResult> {
  const started = Date.now();
  const base = { file: suite.file, name: test.name };
  const skip = await skipDecision(suite, test, ctx);
  if (skip !== undefined) {
    return { ...base, status: 'skipped', reason: skip.reason, category: skip.category, durationMs: 0 };
  }
  const stash = new Stash();
  const state: RunState = { body: undefined };
  let failure: StepFailure | undefined;
  try {
    await runSteps(suite.setup, 'setup', ctx, stash, state);
    await runSteps(test.steps, '', ctx, stash, state);
  } catch (err) {
    failure = asFailure(err);
  }
  try {
    await runSteps(suite.teardown, 'teardown', ctx, stash, state);
  } catch (err) {
    failure ??= asFailure(err);
  }
  try {
    await ctx.wipe();
  } catch (err) {
    failure ??= new StepFailure(`wipe after test failed: ${errorText(err)}`, 'wipe');
  }
  const durationMs = Date.now() - started;
  if (failure === undefined) return { ...base, status: 'passed', durationMs };
  return {
    ...base,
    status: 'failed',
    reason: failure.message,
    category: failure.api,
    ...(failure.detail !== undefined ? { detail: failure.detail } : {}),
    durationMs,
  };
}

interface RunState {
  body: unknown;
  last?: { request: HttpRequest; response?: HttpResponse; api: string };
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function asFailure(err: unknown): StepFailure {
  return err instanceof StepFailure ? err : new StepFailure(errorText(err), 'runner');
}

async function runSteps(steps: readonly Step[], section: string, ctx: ExecuteContext, stash: Stash, state: RunState): Promise<void> {
  const prefix = section === '' ? '' : `${section}: `;
  for (const step of steps) {
    if (step.kind === 'skip' || step.kind === 'requires') continue;
    if (step.kind === 'do') {
      await runDo(step.value, ctx, stash, state, prefix);
      continue;
    }
    if (!isAssertionKind(step.kind)) {
      throw new StepFailure(`${prefix}unknown step [${step.kind}]`, 'runner');
    }
    try {
      runAssertion(step.kind, step.value, state.body, stash);
    } catch (err) {
      const api = state.last?.api ?? 'runner';
      if (err instanceof AssertionFailure) {
        throw new StepFailure(`${prefix}${api}: ${err.message}`, api, describe(state));
      }
      throw new StepFailure(`${prefix}${step.kind}: ${errorText(err)}`, api, describe(state));
    }
  }
}

function describe(state: RunState): string | undefined {
  const last = state.last;
  if (last === undefined) return undefined;
  const req = `${last.request.method} ${last.request.path}${last.request.body !== undefined ? `\n${last.request.body}` : ''}`;
  const res = last.response === undefined ? '(no response)' : `${last.response.status} ${last.response.text}`;
  return `${req}\n→ ${res.length > 4000 ? `${res.slice(0, 4000)}…` : res}`;
}

function ignoredStatuses(value: unknown): number[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).map((v) => Number(v));
}

async function runDo(value: unknown, ctx: ExecuteContext, stash: Stash, state: RunState, prefix: string): Promise<void> {
  const call = toDoCall(value);
  if (call === undefined) throw new StepFailure(`${prefix}malformed do section: ${show(value)}`, 'runner');
  const spec = ctx.specs.get(call.api);
  if (spec === undefined) throw new StepFailure(`${prefix}unknown API [${call.api}]`, call.api);
  const catchValue = (value as Record<string, unknown>)['catch'];
  const expected = catchValue === undefined ? undefined : String(catchValue);
  const args = { ...(stash.replace(call.args) as Record<string, unknown>) };
  const ignore = ignoredStatuses(args['ignore']);
  delete args['ignore'];
  // `type: _doc` is the 8.x typeless default; the typeless path is the same endpoint.
  if (args['type'] === '_doc') delete args['type'];
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(call.headers)) {
    const replaced = stash.replace(v);
    headers[k] = typeof replaced === 'string' ? replaced : JSON.stringify(replaced);
  }
  let request: HttpRequest;
  try {
    request = buildRequest(spec, args, headers);
  } catch (err) {
    if (err instanceof RequestBuildError) {
      if (expected === 'param') return;
      throw new StepFailure(`${prefix}${call.api}: ${err.message}`, call.api);
    }
    throw err;
  }
  if (expected === 'param') throw new StepFailure(`${prefix}${call.api}: expected a client-side param error`, call.api);
  state.last = { request, api: call.api };
  let response: HttpResponse;
  try {
    response = await ctx.client.send(request);
  } catch (err) {
    throw new StepFailure(`${prefix}${call.api}: ${request.method} ${request.path}: ${errorText(err)}`, call.api, describe(state));
  }
  state.last = { request, response, api: call.api };
  // HEAD answers have no body: the empty path evaluates to "did it succeed".
  const body = request.method === 'HEAD' && response.body === undefined ? response.status < 400 : response.body;
  state.body = body;
  stash.setBody(body);
  const isHead404 = request.method === 'HEAD' && response.status === 404;
  const isError = response.status >= 400 && !ignore.includes(response.status) && !isHead404;
  if (expected !== undefined) {
    const errorStatus = response.status >= 400;
    if (!errorStatus) {
      throw new StepFailure(`${prefix}${call.api}: expected error [${expected}] but got ${response.status}`, call.api, describe(state));
    }
    if (expected.length > 2 && expected.startsWith('/') && expected.endsWith('/')) {
      // Elasticsearch matches the regex against the `error` value rendered by Java's toString
      const error = isRecordLike(response.body) ? response.body['error'] : undefined;
      if (error === undefined || error === null) {
        throw new StepFailure(`${prefix}${call.api}: expected an error body matching ${expected}, got ${response.text.slice(0, 200)}`, call.api, describe(state));
      }
      if (!new RegExp(expected.slice(1, -1)).test(javaToString(error))) {
        throw new StepFailure(
          `${prefix}${call.api}: error ${response.status} ${errorSummary(response)} does not match ${expected}`,
          call.api,
          describe(state),
        );
      }
      return;
    }
    const accepts = namedCatches[expected];
    if (accepts === undefined) throw new StepFailure(`${prefix}unknown catch [${expected}]`, 'runner');
    if (!accepts(response.status)) {
      throw new StepFailure(
        `${prefix}${call.api}: expected [${expected}] but got ${response.status} ${errorSummary(response)}`,
        call.api,
        describe(state),
      );
    }
    return;
  }
  if (isError) {
    throw new StepFailure(`${prefix}${call.api}: unexpected ${response.status} ${errorSummary(response)}`, call.api, describe(state));
  }
}

function isRecordLike(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Java's Map/List toString, which Elasticsearch's runner matches `catch: /regex/` against. */
export function javaToString(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(javaToString).join(', ')}]`;
  if (isRecordLike(v)) return `{${Object.entries(v).map(([k, x]) => `${k}=${javaToString(x)}`).join(', ')}}`;
  return String(v);
}

/** `type: reason` of an Elasticsearch error body, or its text. */
function errorSummary(response: HttpResponse): string {
  const body = response.body;
  if (body !== null && typeof body === 'object' && 'error' in body) {
    const error = (body as { error: unknown }).error;
    if (error !== null && typeof error === 'object') {
      const e = error as { type?: unknown; reason?: unknown };
      return `${String(e.type)}: ${String(e.reason)}`.slice(0, 300);
    }
    return String(error).slice(0, 300);
  }
  return response.text.slice(0, 300);
}
