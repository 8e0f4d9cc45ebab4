/**
 * One call from core options to a ready backend: build (or adopt) the client, optionally check
 * the connection and bootstrap the indices, and hand back the context plus a `close()` that only
 * closes a client esjobs created (never the user's own).
 */
import { checkConnection, createClient, type ConnectionInfo, type Env } from '../connection.js';
import { bootstrap, type BootstrapResult } from '../indices/bootstrap.js';
import { validate, type CoreOptions } from '../options/core.js';
import type { BackendContext } from './context.js';
import { createBackendContext } from './create-context.js';

export interface OpenBackendOptions extends CoreOptions {
  /**
   * Probe the cluster first (clear error: unreachable / wrong credentials / not Elasticsearch).
   * @defaultValue true
   */
  readonly check?: boolean;
  /**
   * Create missing indices and verify mappings.
   * @defaultValue true
   */
  readonly bootstrap?: boolean;
}

export interface OpenedBackend {
  readonly ctx: BackendContext;
  /** Node URL without credentials, when known. */
  readonly node: string | undefined;
  readonly connection: ConnectionInfo | undefined;
  readonly bootstrap: BootstrapResult | undefined;
  /** Close the client if esjobs created it. */
  close(): Promise<void>;
}

export async function openBackend(options: OpenBackendOptions = {}, env: Env = process.env): Promise<OpenedBackend> {
  const { check = true, bootstrap: doBootstrap = true, ...core } = options;
  const resolved = validate(core);
  const { client, node, owned } = createClient({ es: resolved.es }, env);
  const close = async (): Promise<void> => {
    if (owned) await client.close();
  };
  try {
    const ctx = createBackendContext({
      client,
      prefix: resolved.prefix,
      clock: resolved.clock,
      maxPayloadBytes: resolved.maxPayloadBytes,
      backpressure: core.backpressure,
      node,
    });
    const connection = check ? await checkConnection(client, node === undefined ? {} : { node }) : undefined;
    const boot = doBootstrap ? await bootstrap(ctx) : undefined;
    return { ctx, node, connection, bootstrap: boot, close };
  } catch (err) {
    await close();
    throw err;
  }
}
