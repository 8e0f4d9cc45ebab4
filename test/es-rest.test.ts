/**
 * Fidelity floor: runs Elasticsearch's REST API YAML tests (../shared/es-rest-tests) against a
 * fresh embedded engine and fails when fewer tests pass than recorded in es-rest/baseline.json,
 * or when the share of skipped tests grows past the recorded one.
 */
import { expect } from 'chai';
import { readFile } from 'node:fs/promises';
import { closingText, summarize } from './es-rest/report.js';
import { skipWithoutCorpus } from './es-rest/corpus-guard.js';
import { runSuites } from './es-rest/run.js';

interface Baseline {
  readonly passed: number;
  readonly maxSkipShare: number;
  readonly goalSkipShare: number;
  readonly goalPassRate: number;
}

async function readBaseline(): Promise<Baseline> {
  const text = await readFile(new URL('./es-rest/baseline.json', import.meta.url), 'utf8');
  return JSON.parse(text) as Baseline;
}

describe('Elasticsearch REST API YAML tests against the embedded engine', function () {
  this.timeout(5 * 60_000);

  it('passes at least the recorded number of tests without skipping more', async function () {
    skipWithoutCorpus(this, 'es-rest');
    const baseline = await readBaseline();
    const run = await runSuites();
    const s = summarize(run.results);
    console.log(closingText(run).split('\n').slice(-2).map((l) => `  es-rest: ${l}`).join('\n'));
    if (s.passRate < baseline.goalPassRate || s.skipShare >= baseline.goalSkipShare) {
      console.log(
        `  es-rest: below the issue's goals (pass rate ≥ ${baseline.goalPassRate * 100}%, skipped < ${baseline.goalSkipShare * 100}%)`,
      );
    }
    expect(s.passed, 'passed tests (floor in test/es-rest/baseline.json)').to.be.at.least(baseline.passed);
    expect(s.skipShare, 'share of skipped tests (ceiling in test/es-rest/baseline.json)').to.be.at.most(baseline.maxSkipShare);
  });
});
