import { existsSync } from 'node:fs';
import { corpusDirDefault } from './options.js';

/**
 * The YAML corpus lives outside the repository (../shared/es-rest-tests). A checkout without it
 * skips the suites that need it, saying so; CI always has it, so there a missing corpus fails.
 */
export function skipWithoutCorpus(ctx: Mocha.Context, what: string): void {
  if (existsSync(corpusDirDefault)) return;
  if (process.env.CI) throw new Error(`${what}: the Elasticsearch REST test corpus is missing at ${corpusDirDefault}`);
  console.log(`  ${what}: corpus not found at ${corpusDirDefault}; skipped (place ../shared/es-rest-tests beside the checkout)`);
  ctx.skip();
}
