/**
 * Loads the `--jobs` module: .js/.mjs through `import()`, .ts/.mts through tsx's `tsImport` when
 * no TypeScript loader is active (so the built CLI needs no loader flags). Its exports must be job definitions: named exports, a
 * default array, or a default definition. Everything else exported is ignored.
 */
import { existsSync, statSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type AnyJobDefinition, isJobDefinition } from '@esjobs/worker';

export class JobsModuleError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'JobsModuleError';
  }
}

const SUPPORTED = new Set(['.js', '.mjs', '.cjs', '.ts', '.mts', '.cts']);

/**
 * When the CLI already runs under a TypeScript loader (a source checkout, where this very file is
 * .ts), a plain import shares its module instances (one @esjobs/core, so `instanceof` works in
 * handlers); otherwise tsx's tsImport compiles the module in its own scope. A plain import that
 * merely succeeds is no sign of a loader: Node 22.18+ strips types natively, without tsx's `.js` →
 * .ts resolution or support for enums and the like.
 */
async function importTypeScript(file: string): Promise<Record<string, unknown>> {
  if (import.meta.url.endsWith('.ts')) return (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  const { tsImport } = await import('tsx/esm/api');
  return (await tsImport(pathToFileURL(file).href, import.meta.url)) as Record<string, unknown>;
}

export async function loadJobs(path: string, cwd: string = process.cwd()): Promise<AnyJobDefinition[]> {
  const file = resolve(cwd, path);
  if (!existsSync(file) || !statSync(file).isFile()) throw new JobsModuleError(`--jobs: no such file: ${file}`);
  const ext = extname(file);
  if (!SUPPORTED.has(ext)) throw new JobsModuleError(`--jobs: ${file} is not a .js, .mjs or .ts module`);
  let mod: Record<string, unknown>;
  try {
    mod = ext === '.ts' || ext === '.mts' || ext === '.cts' ? await importTypeScript(file) : ((await import(pathToFileURL(file).href)) as Record<string, unknown>);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new JobsModuleError(`--jobs: could not load ${file}: ${reason}`, { cause: err });
  }
  const found = new Map<string, AnyJobDefinition>();
  const add = (where: string, value: unknown): void => {
    if (!isJobDefinition(value)) return;
    const existing = found.get(value.name);
    if (existing !== undefined && existing !== value) throw new JobsModuleError(`--jobs: ${file} defines job ${JSON.stringify(value.name)} twice (${where})`);
    found.set(value.name, value);
  };
  for (const [key, value] of Object.entries(mod)) {
    if (key === 'default' && Array.isArray(value)) value.forEach((v: unknown, i: number) => add(`default[${i}]`, v));
    else add(key, value);
  }
  if (found.size === 0) {
    throw new JobsModuleError(
      `--jobs: ${file} exports no job definitions; export the results of defineJob() from @esjobs/worker as named exports or as a default array`,
    );
  }
  return [...found.values()];
}
