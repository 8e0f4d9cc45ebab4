import type { EngineRequest } from '../src/contracts.js';
import type { Engine } from '../src/engine.js';

export type EngineCall = (method: EngineRequest['method'], path: string, body?: unknown, query?: Record<string, string>) => Promise<{ status: number; body: Record<string, unknown> }>;

/** Requests through Engine.handle, as clients reach it: string bodies go as NDJSON, others as JSON. */
export function engineCall(engine: () => Engine): EngineCall {
  return async (method, path, body, query = {}) => {
    const raw = body === undefined ? undefined : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
    const headers: Record<string, string> = raw === undefined ? {} : { 'content-type': typeof body === 'string' ? 'application/x-ndjson' : 'application/json' };
    const r = await engine().handle({ method, path, query, headers, body: raw });
    return { status: r.status, body: (r.body ?? {}) as Record<string, unknown> };
  };
}
