/**
 * The Elasticsearch targets a benchmark runs against: the embedded engine in-process (official
 * client through the in-process connection, no sockets), the engine over HTTP in its own
 * process, the same with the `realistic` fault profile (1–3 ms per request, occasional 429s,
 * refresh 1 s), and a real cluster from ESJOBS_BENCH_ES_URL (credentials from ESJOBS_ES_API_KEY
 * and friends).
 */
import { Client } from '@elastic/elasticsearch';
import { createClient } from '@esjobs/core';
import { Engine, createEmbeddedClientConnection } from '@esjobs/embedded';
import { type Child, spawnEngine } from './processes.js';

export const targetNames = ['in-process', 'http', 'http-realistic', 'elasticsearch'] as const;
export type TargetName = (typeof targetNames)[number];

export interface Target {
  readonly name: TargetName;
  readonly description: string;
  readonly client: Client;
  /** URL worker processes connect to; undefined for the in-process engine (workers run in-process). */
  readonly url: string | undefined;
  /** The engine process, for its peak RSS. */
  readonly engineProcess: Child | undefined;
  close(): Promise<void>;
}

type ConnectionClass = NonNullable<ConstructorParameters<typeof Client>[0]['Connection']>;

export async function openTarget(name: TargetName, env: Readonly<Record<string, string | undefined>>): Promise<Target> {
  switch (name) {
    case 'in-process': {
      const engine = new Engine();
      // The embedded connection implements the client's transport contract; its class type differs nominally.
      const Connection = createEmbeddedClientConnection(engine) as unknown as ConnectionClass;
      const client = new Client({ node: 'http://embedded.invalid', Connection });
      return {
        name,
        description: 'embedded engine in the benchmark process (in-process connection, no sockets)',
        client,
        url: undefined,
        engineProcess: undefined,
        async close() {
          await client.close();
          await engine.close();
        },
      };
    }
    case 'http':
    case 'http-realistic': {
      const profile = name === 'http' ? 'none' : 'realistic';
      const { child, url } = await spawnEngine(profile);
      const client = new Client({ node: url });
      return {
        name,
        description:
          profile === 'none'
            ? 'embedded engine in its own process over HTTP (esjobs engine start)'
            : 'embedded engine over HTTP, realistic profile: refresh 1 s, 1–3 ms per request, 1% 429 on bulk/search',
        client,
        url,
        engineProcess: child,
        async close() {
          await client.close();
          await child.stop();
        },
      };
    }
    case 'elasticsearch': {
      const url = env['ESJOBS_BENCH_ES_URL'];
      if (url === undefined || url === '') throw new Error('ESJOBS_BENCH_ES_URL is not set');
      const { client } = createClient({ es: url }, env);
      return {
        name,
        description: `Elasticsearch at ${url.replace(/\/\/[^@/]*@/, '//')}`,
        client,
        url,
        engineProcess: undefined,
        async close() {
          await client.close();
        },
      };
    }
  }
}
