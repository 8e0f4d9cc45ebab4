import { setTimeout as sleep } from 'node:timers/promises';
import type { EngineRequest, EngineResponse } from '../contracts.js';
import type { EnginePort } from './engine-port.js';
import type { Faults } from './faults.js';

/** A response ready for the wire, or a connection to drop without answering. */
export type Outcome =
  | { readonly drop: false; readonly status: number; readonly headers: Record<string, string>; readonly body: string }
  | { readonly drop: true };

const PRODUCT = { 'x-elastic-product': 'Elasticsearch' } as const;

/** Runs one request through fault injection and the engine, and renders what the transport sends. */
export async function dispatch(engine: EnginePort, faults: Faults | undefined, req: EngineRequest): Promise<Outcome> {
  if (!faults) return render(req, await engine.handle(req));
  const decision = faults.decide(engine.classify(req));
  if (decision.delayMs > 0) await sleep(decision.delayMs);
  switch (decision.action) {
    case 'drop':
      return { drop: true };
    case 'respond':
      return render(req, decision.response);
    case 'pass': {
      const res = await engine.handle(req);
      return decision.dropAfter ? { drop: true } : render(req, res);
    }
  }
}

/** Serializes like Elasticsearch: JSON body, content type matching what the client asked for. */
export function render(req: EngineRequest, res: EngineResponse): Outcome {
  const headers: Record<string, string> = { ...PRODUCT, ...res.headers };
  let body = '';
  if (res.body !== undefined) {
    body = typeof res.body === 'string' ? res.body : JSON.stringify(res.body);
    headers['content-type'] ??= responseContentType(req.headers);
  }
  return { drop: false, status: res.status, headers, body };
}

const COMPATIBLE = /compatible-with\s*=\s*(\d+)/i;

/**
 * `application/json`, or the vendor type with the same `compatible-with` the client sent (the
 * 8.x and 9.x clients send it on Accept and Content-Type).
 */
export function responseContentType(headers: Readonly<Record<string, string>>): string {
  const version = COMPATIBLE.exec(headers.accept ?? '')?.[1] ?? COMPATIBLE.exec(headers['content-type'] ?? '')?.[1];
  return version ? `application/vnd.elasticsearch+json;compatible-with=${version}` : 'application/json';
}

/** Elasticsearch's error body for a failure of the transport itself (not of the engine). */
export function errorResponse(status: number, type: string, reason: string, extra: Record<string, unknown> = {}): EngineResponse {
  const cause = { type, reason, ...extra };
  return { status, body: { error: { root_cause: [cause], ...cause }, status } };
}
