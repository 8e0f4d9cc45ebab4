import type { EngineRequest, EngineResponse, RequestKind } from '../contracts.js';

/**
 * What the transports need from the engine. The store's `Engine` satisfies it; io/ depends on this
 * shape only, so transports can be tested and reused without the store's internals.
 */
export interface EnginePort {
  /** Never throws: every failure is an Elasticsearch-shaped response. */
  handle(req: EngineRequest): Promise<EngineResponse>;
  classify(req: EngineRequest): RequestKind;
  /** Extra delay before refreshes become visible (fault injection); 0 turns it off. */
  setRefreshDelay?(ms: number): void;
}
