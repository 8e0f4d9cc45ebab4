import { Client } from '@elastic/elasticsearch';

import { Client as Client8 } from 'es8';

import type { EnginePort, Faults } from '@esjobs/embedded';
import { createEmbeddedClientConnection } from '@esjobs/embedded';

export { Client, Client8 };

type ClientOptions = ConstructorParameters<typeof Client>[0];
type ClientOptions8 = ConstructorParameters<typeof Client8>[0];
export { errors } from '@elastic/elasticsearch';
export { errors as errors8 } from 'es8';

/** A node URL that can never be dialled: the embedded connection never opens a socket. */
export const EMBEDDED_NODE = 'http://embedded.invalid';

export interface EmbeddedClientOptions {
  readonly faults?: Faults | undefined;
  /** Extra client options (e.g. `maxRetries`). */
  readonly client?: Omit<ClientOptions, 'node' | 'nodes' | 'Connection'>;
}

// The embedded connection is duck-typed against the transport's BaseConnection (the client is not
// a dependency of @esjobs/embedded), so the client's nominal type needs this one cast.
type Connection9 = NonNullable<ClientOptions['Connection']>;
type Connection8 = NonNullable<ClientOptions8['Connection']>;

/** @elastic/elasticsearch 9.x talking to an engine in this process. */
export function embeddedClient(engine: EnginePort, options: EmbeddedClientOptions = {}): Client {
  const Connection = createEmbeddedClientConnection(engine, { faults: options.faults }) as unknown as Connection9;
  return new Client({ ...options.client, node: EMBEDDED_NODE, Connection });
}

/** @elastic/elasticsearch 8.x talking to an engine in this process. */
export function embeddedClient8(engine: EnginePort, options: { readonly faults?: Faults | undefined; readonly client?: Omit<ClientOptions8, 'node' | 'nodes' | 'Connection'> } = {}): Client8 {
  const Connection = createEmbeddedClientConnection(engine, { faults: options.faults }) as unknown as Connection8;
  return new Client8({ ...options.client, node: EMBEDDED_NODE, Connection });
}
