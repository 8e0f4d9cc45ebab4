import { closeSync, openSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@elastic/elasticsearch';
import type { Client as Client8 } from 'es8';
import { Client8 as Client8Ctor, embeddedClient, embeddedClient8 } from './clients.js';
import type { Engine, FaultOptions, FaultProfileName, StartedEngine } from '@esjobs/embedded';
import { Engine as EngineCtor, Faults, startEngine } from '@esjobs/embedded';
import { Client as ClientCtor } from '@elastic/elasticsearch';
import { deleteIndicesMatching } from './delete-indices.js';
import { closeAll, track, useLeakCheck } from './leaks.js';
import { takePrefixesToClean } from './prefix.js';
import { realClient, realElasticsearch } from './real-es.js';

export type TargetName = 'embedded' | 'embedded-http' | 'embedded-http-realistic' | 'elasticsearch';

export const allTargetNames: readonly TargetName[] = ['embedded', 'embedded-http', 'embedded-http-realistic', 'elasticsearch'];

export interface ClientOverrides {
  /** e.g. `maxRetries`, `requestTimeout` */
  readonly maxRetries?: number;
  readonly requestTimeout?: number;
}

/** One Elasticsearch a suite runs against. Use it inside hooks and tests (it starts in `before`). */
export interface Target {
  readonly name: TargetName;
  /** True for the embedded engine (in-process or HTTP). */
  readonly embedded: boolean;
  /** A 9.x client for this target (closed after the suite). */
  client(overrides?: ClientOverrides): Client;
  /** An 8.x client for this target (closed after the suite). */
  client8(overrides?: ClientOverrides): Client8;
  /** The engine, on embedded targets. */
  readonly engine: Engine | undefined;
  /** Runtime fault control, on embedded targets. */
  readonly faults: Faults | undefined;
  /** Base URL on HTTP targets. */
  readonly url: string | undefined;
}

export interface ForEachTargetOptions {
  /** Only these targets (default: all). */
  readonly only?: readonly TargetName[];
  /** Engine options for embedded targets (e.g. a faster `defaultRefreshIntervalMs`). */
  readonly engine?: { readonly defaultRefreshIntervalMs?: number; readonly clock?: () => number };
  /** Install the per-test leak check. @defaultValue true */
  readonly leakCheck?: boolean;
}

/**
 * Runs `body` once per target in its own describe block: a fresh engine per block on embedded
 * targets, prefixes from `uniquePrefix()` deleted after each test, clients and engines closed
 * after the block, and (by default) a leak check after each test. Targets that cannot run are
 * registered as skipped, and the reason is printed once per test run.
 */
export function forEachTarget(body: (target: Target) => void, options: ForEachTargetOptions = {}): void {
  const names = options.only ?? selectedTargetNames();
  for (const name of names) {
    const state = new TargetState(name, options);
    describe(`[${name}]`, function () {
      before(async function () {
        this.timeout(180_000);
        const skip = await state.start();
        if (skip) {
          announceSkip(name, skip);
          this.skip();
        }
      });
      afterEach(async () => {
        await state.cleanPrefixes();
      });
      if (options.leakCheck !== false) useLeakCheck();
      after(async () => {
        await state.stop();
      });
      body(state.target);
    });
  }
}

/** `ESJOBS_TEST_TARGETS=embedded,embedded-http` narrows the targets of every suite. */
export function selectedTargetNames(): TargetName[] {
  const env = process.env.ESJOBS_TEST_TARGETS;
  if (!env) return [...allTargetNames];
  const wanted = env.split(',').map((s) => s.trim()).filter(Boolean);
  for (const w of wanted) {
    if (!allTargetNames.includes(w as TargetName)) throw new Error(`ESJOBS_TEST_TARGETS: unknown target "${w}" (known: ${allTargetNames.join(', ')})`);
  }
  return wanted as TargetName[];
}

class TargetState {
  private engine: Engine | undefined;
  private started: StartedEngine | undefined;
  private faults: Faults | undefined;
  private url: string | undefined;
  private clients: { close(): Promise<void> }[] = [];
  private makeClient: ((o: ClientOverrides) => Client) | undefined;
  private makeClient8: ((o: ClientOverrides) => Client8) | undefined;
  private admin: Client | undefined;
  readonly target: Target;

  constructor(
    readonly name: TargetName,
    private readonly options: ForEachTargetOptions,
  ) {
    const state = (): { engine: Engine | undefined; faults: Faults | undefined; url: string | undefined } => this.live();
    this.target = {
      name,
      embedded: name !== 'elasticsearch',
      client: (o = {}) => this.newClient(o),
      client8: (o = {}) => this.newClient8(o),
      get engine() {
        return state().engine;
      },
      get faults() {
        return state().faults;
      },
      get url() {
        return state().url;
      },
    };
  }

  private live(): { engine: Engine | undefined; faults: Faults | undefined; url: string | undefined } {
    return { engine: this.engine, faults: this.faults, url: this.url };
  }

  /** Starts the target; returns a skip reason when it cannot run here. */
  async start(): Promise<string | undefined> {
    const engineOptions = this.options.engine ?? {};
    switch (this.name) {
      case 'embedded': {
        const engine = new EngineCtor(engineOptions);
        const faults = new Faults({});
        // Attach now: a refresh delay set before the first client must still reach the engine.
        faults.attach(engine);
        this.engine = engine;
        this.faults = faults;
        this.makeClient = (o) => embeddedClient(engine, { faults, client: o });
        this.makeClient8 = (o) => embeddedClient8(engine, { faults, client: o });
        break;
      }
      case 'embedded-http':
      case 'embedded-http-realistic': {
        const profile: FaultProfileName | FaultOptions = this.name === 'embedded-http-realistic' ? 'realistic' : {};
        const started = await startEngine({ ...engineOptions, port: 0, faults: profile });
        this.started = started;
        this.engine = started.engine;
        this.faults = started.faults;
        this.url = started.url;
        this.makeClient = (o) => new ClientCtor({ ...o, node: started.url });
        this.makeClient8 = (o) => new Client8Ctor({ ...o, node: started.url });
        break;
      }
      case 'elasticsearch': {
        const es = await realElasticsearch();
        if (!es.available) return es.reason;
        this.url = es.url;
        this.makeClient = (o) => realClient(es, o);
        this.makeClient8 = (o) => new Client8Ctor({ ...(es.clientOptions as ConstructorParameters<typeof Client8Ctor>[0]), ...o });
        break;
      }
    }
    this.admin = this.newClient({ maxRetries: 5 });
    return undefined;
  }

  newClient(o: ClientOverrides): Client {
    if (!this.makeClient) throw new Error(`target ${this.name} is not started: call target.client() inside hooks or tests`);
    const c = this.makeClient(o);
    this.clients.push(c);
    return c;
  }

  newClient8(o: ClientOverrides): Client8 {
    if (!this.makeClient8) throw new Error(`target ${this.name} is not started: call target.client8() inside hooks or tests`);
    const c = this.makeClient8(o);
    this.clients.push(c);
    return c;
  }

  async cleanPrefixes(): Promise<void> {
    const prefixes = takePrefixesToClean();
    if (!this.admin || prefixes.length === 0) return;
    const admin = this.admin;
    // Faults must not make cleanup fail.
    const saved = this.faults?.current;
    this.faults?.clear();
    try {
      for (const p of prefixes) {
        await deleteIndicesMatching(admin, `${p}*`);
        await admin.indices.deleteIndexTemplate({ name: `${p}*` }).catch(() => undefined);
      }
    } finally {
      if (saved) this.faults?.set(saved);
    }
  }

  async stop(): Promise<void> {
    await Promise.allSettled(this.clients.map((c) => c.close()));
    this.clients = [];
    await this.started?.close();
    if (!this.started) await this.engine?.close();
    this.started = undefined;
    this.engine = undefined;
    await closeAll();
  }
}

/** Prints why a target is skipped, once per test run (mocha workers share the parent pid). */
function announceSkip(name: TargetName, reason: string): void {
  const marker = join(tmpdir(), `esjobs-test-skip-${name}-${process.ppid}`);
  try {
    closeSync(openSync(marker, 'wx'));
  } catch {
    return;
  }
  console.log(`\n  [esjobs tests] target "${name}" skipped: ${reason}\n`);
}

export { track };
