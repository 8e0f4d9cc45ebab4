/**
 * Turning results into text: the console report (one line per failing or skipped test, skip
 * counts per reason, the closing `N passed, N failed, N skipped` line), the grouped failure
 * report the engine engineers read, and the JSON file.
 */
import type { TestResult } from './execute.js';
import type { RunResult } from './run.js';

export interface Summary {
  readonly passed: number;
  readonly failed: number;
  readonly skipped: number;
  readonly total: number;
  /** passed / (passed + failed) */
  readonly passRate: number;
  /** skipped / total */
  readonly skipShare: number;
}

export function summarize(results: readonly TestResult[]): Summary {
  const passed = results.filter((r) => r.status === 'passed').length;
  const failed = results.filter((r) => r.status === 'failed').length;
  const skipped = results.filter((r) => r.status === 'skipped').length;
  const total = results.length;
  return {
    passed,
    failed,
    skipped,
    total,
    passRate: passed + failed === 0 ? 0 : passed / (passed + failed),
    skipShare: total === 0 ? 0 : skipped / total,
  };
}

function countBy(results: readonly TestResult[], key: (r: TestResult) => string): [string, number][] {
  const counts = new Map<string, number>();
  for (const r of results) counts.set(key(r), (counts.get(key(r)) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;

/** One line per failing or skipped test (as each result arrives). */
export function resultLine(r: TestResult, verbose: boolean): string | undefined {
  if (r.status === 'passed') return undefined;
  const head = `${r.status === 'failed' ? 'FAIL' : 'SKIP'} ${r.file} "${r.name}": ${r.reason ?? ''}`;
  return verbose && r.detail !== undefined ? `${head}\n${indent(r.detail)}` : head;
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');
}

/** The closing block: skips per reason, the two figures, and last the summary line. */
export function closingText(run: RunResult): string {
  const s = summarize(run.results);
  const skipped = run.results.filter((r) => r.status === 'skipped');
  const lines = ['', `Skips per reason (${s.skipped}):`];
  for (const [category, n] of countBy(skipped, (r) => r.category ?? 'unknown')) lines.push(`  ${String(n).padStart(4)}  ${category}`);
  lines.push(
    '',
    `target version ${run.version}; ${s.total} tests in ${(run.durationMs / 1000).toFixed(1)} s; ` +
      `pass rate of non-skipped ${pct(s.passRate)}; skipped ${pct(s.skipShare)}`,
    `${s.passed} passed, ${s.failed} failed, ${s.skipped} skipped`,
  );
  return lines.join('\n');
}

/** Reduce a failure reason to its cause, for grouping (drop ids, numbers and quoted values). */
export function causeOf(reason: string): string {
  return reason
    .replace(/^(setup|teardown): /, '')
    .replace(/"[^"]*"/g, '"…"')
    .replace(/\[[^\]]*\]/g, '[…]')
    .replace(/\b\d+\b/g, 'N')
    .slice(0, 160);
}

/** Failures grouped by area (corpus folder), then by cause, with the tests under each. */
export function failureReport(run: RunResult): string {
  const s = summarize(run.results);
  const failed = run.results.filter((r) => r.status === 'failed');
  const lines = [
    `es-rest failures — ${new Date().toISOString()} — ${s.passed} passed, ${s.failed} failed, ${s.skipped} skipped ` +
      `(pass rate ${pct(s.passRate)}, skipped ${pct(s.skipShare)})`,
    'Regenerate: pnpm es-rest --report /tmp/es-rest-report.txt ; one folder: pnpm es-rest ../shared/es-rest-tests/<folder> --verbose',
    '',
  ];
  const byArea = new Map<string, TestResult[]>();
  for (const r of failed) {
    const area = r.file.split('/')[0] ?? r.file;
    byArea.set(area, [...(byArea.get(area) ?? []), r]);
  }
  for (const [area, rs] of [...byArea].sort((a, b) => b[1].length - a[1].length)) {
    lines.push(`## ${area} (${rs.length} failing)`);
    const byCause = new Map<string, TestResult[]>();
    for (const r of rs) {
      const c = causeOf(r.reason ?? '');
      byCause.set(c, [...(byCause.get(c) ?? []), r]);
    }
    for (const [cause, group] of [...byCause].sort((a, b) => b[1].length - a[1].length)) {
      lines.push(`- ${group.length} × ${cause}`);
      for (const r of group) {
        const legacy = run.legacyFiles.has(r.file) ? ' [legacy-location file: may expect 7.x behaviour]' : '';
        lines.push(`    ${r.file} "${r.name}"${legacy}: ${r.reason ?? ''}`);
        if (r.detail !== undefined) lines.push(indent(indent(r.detail.slice(0, 1500))));
      }
    }
    lines.push('');
  }
  return lines.join('\n');
}
