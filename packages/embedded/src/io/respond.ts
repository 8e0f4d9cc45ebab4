import { setTimeout as sleep } from 'node:timers/promises';
import type { EngineRequest, EngineResponse } from '../contracts.js';
import type { EnginePort } from './engine-port.js';
import type { Faults } from './faults.js';

/** A response ready for the wire, or a connection to drop without answering. */
export type Outcome =
  | { readonly drop: false; readonly status: number; readonly headers: Record<string, string>; readonly body: string }
  | { readonly drop: true };

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

/**
 * Serializes like Elasticsearch: JSON body, content type matching what the client asked for. The
 * headers object is new for each call, so a transport may add to it.
 */
export function render(req: EngineRequest, res: EngineResponse): Outcome {
  const headers: Record<string, string> = { 'x-elastic-product': 'Elasticsearch' };
  if (res.headers !== undefined) Object.assign(headers, res.headers);
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
  const accept = headers.accept ?? '';
  const sent = headers['content-type'] ?? '';
  // a client sends the same two headers on every request: remember the last answer
  if (accept === lastType.accept && sent === lastType.sent) return lastType.type;
  const version = COMPATIBLE.exec(accept)?.[1] ?? COMPATIBLE.exec(sent)?.[1];
  const type = version ? `application/vnd.elasticsearch+json;compatible-with=${version}` : 'application/json';
  lastType = { accept, sent, type };
  return type;
}

let lastType = { accept: '', sent: '', type: 'application/json' };

/** Elasticsearch's error body for a failure of the transport itself (not of the engine). */
export function errorResponse(status: number, type: string, reason: string, extra: Record<string, unknown> = {}): EngineResponse {
  const cause = { type, reason, ...extra };
  return { status, body: { error: { root_cause: [cause], ...cause }, status } };
}
