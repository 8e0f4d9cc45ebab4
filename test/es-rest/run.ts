/**
 * The whole run: find the YAML files, start the target, execute every test in order (one target,
 * wiped between tests), collect results. No printing here; see report.ts.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join, relative } from 'node:path';
import { loadApiSpecs } from './api-specs.js';
import { executeTest } from './execute.js';
import type { ExecuteContext, TestResult } from './execute.js';
import { HttpClient } from './http-client.js';
import type { HttpResponse, RequestSender } from './http-client.js';
import type { HttpRequest } from './api-specs.js';
import { validate, withDefaults } from './options.js';
import type { RunnerOptions } from './options.js';
import { loadSuite, SuiteParseError } from './suite.js';
import { clusterInfo, externalTarget, startEmbeddedTarget, wipe } from './target.js';
import type { Target } from './target.js';

export interface RunResult {
  readonly results: readonly TestResult[];
  /** Files the corpus's SOURCE.md marks legacy-location (possibly obsolete for 8.x), as `folder/file`. */
  readonly legacyFiles: ReadonlySet<string>;
  readonly version: string;
  readonly durationMs: number;
}

/** Every `*.yml`/`*.yaml` under `dir` (or `dir` itself when a file), skipping the `api` specs folder. */
export async function findYamlFiles(dir: string): Promise<string[]> {
  const info = await stat(dir).catch(() => {
    throw new Error(`dirs: no such file or directory ${JSON.stringify(dir)}`);
  });
  if (info.isFile()) return [dir];
  const out: string[] = [];
  for (const entry of (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'api') out.push(...(await findYamlFiles(full)));
    } else if (/\.ya?ml$/.test(entry.name)) {
      out.push(full);
    }
  }
  return out;
}

/** `folder/file` of the rows SOURCE.md marks legacy-location; empty when there is no SOURCE.md. */
export async function legacyFilesOf(corpusRoot: string): Promise<Set<string>> {
  let text: string;
  try {
    text = await readFile(join(corpusRoot, 'SOURCE.md'), 'utf8');
  } catch {
    return new Set();
  }
  const out = new Set<string>();
  for (const m of text.matchAll(/^\| ([\w.]+) \| `([^`]+)` \|.*\| legacy-location \|/gm)) out.add(`${m[1] ?? ''}/${m[2] ?? ''}`);
  return out;
}

/** Report paths relative to the corpus root when the file is in it (`index/10_with_id.yml`). */
function displayPath(file: string, root: string): string {
  const rel = relative(root, file);
  return rel.startsWith('..') ? `${basename(dirname(file))}/${basename(file)}` : rel;
}

/** Callbacks for progress output: each result, and (for `--trace`) each request of a test step. */
export interface RunHooks {
  readonly onResult?: (r: TestResult) => void;
  readonly onExchange?: (req: HttpRequest, res: HttpResponse) => void;
}

export async function runSuites(partial: Partial<RunnerOptions> = {}, hooks: RunHooks = {}): Promise<RunResult> {
  const { onResult, onExchange } = hooks;
  const options = validate(withDefaults(partial));
  const started = Date.now();
  const specs = await loadApiSpecs(options.specsDir);
  const corpusRoot = dirname(options.specsDir);
  const files = (await Promise.all(options.dirs.map((d) => findYamlFiles(d)))).flat();
  const embedded = options.url === undefined;
  let target: Target = embedded ? await startEmbeddedTarget() : externalTarget(options.url ?? '');
  let client = new HttpClient(target.url, options.requestTimeoutMs);
  const results: TestResult[] = [];
  const filter = options.filter?.toLowerCase();
  let wipeWarned = false;
  try {
    const cluster = await clusterInfo(client, options.clusterFeatures);
    // The client is replaced when the engine is restarted, so steps reach it through this proxy.
    const clientProxy: RequestSender = {
      send: async (req) => {
        const res = await client.send(req);
        onExchange?.(req, res);
        return res;
      },
    };
    const ctx: ExecuteContext = {
      client: clientProxy,
      specs,
      cluster,
      wipe: async () => {
        try {
          await wipe(client);
        } catch (err) {
          if (!embedded) throw err;
          // A fresh engine is as clean as a wipe; say once that the API route did not work.
          if (!wipeWarned) console.error(`es-rest: wipe through the API failed (${String(err)}); restarting the engine between tests`);
          wipeWarned = true;
          client.close();
          await target.close();
          target = await startEmbeddedTarget();
          client = new HttpClient(target.url, options.requestTimeoutMs);
        }
      },
    };
    // start from a clean target, as the Elasticsearch runner does
    await ctx.wipe();
    for (const file of files) {
      const rel = displayPath(file, corpusRoot);
      let suite;
      try {
        suite = await loadSuite(file, rel);
      } catch (err) {
        if (!(err instanceof SuiteParseError)) throw err;
        const r: TestResult = { file: rel, name: '(file)', status: 'failed', reason: err.message, category: 'runner', durationMs: 0 };
        results.push(r);
        onResult?.(r);
        continue;
      }
      for (const test of suite.tests) {
        if (filter !== undefined && !`${rel} ${test.name}`.toLowerCase().includes(filter)) continue;
        const r = await executeTest(suite, test, ctx);
        results.push(r);
        onResult?.(r);
      }
    }
    const v = cluster.version.join('.');
    return { results, legacyFiles: await legacyFilesOf(corpusRoot), version: v, durationMs: Date.now() - started };
  } finally {
    client.close();
    await target.close();
  }
}
