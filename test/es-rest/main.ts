/**
 * `pnpm es-rest [DIR ...] [--filter TEXT] [--json FILE] [--report FILE] [--verbose] [--trace] [--url URL]`
 * Runs Elasticsearch's REST API YAML tests against a fresh embedded engine (or `--url`), prints
 * failing and skipped tests, skip counts per reason and `N passed, N failed, N skipped`.
 * Exits 0 whenever the run completes; the floor is enforced by test/es-rest.test.ts.
 */
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { closingText, failureReport, resultLine, summarize } from './report.js';
import { runSuites } from './run.js';

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      json: { type: 'string' },
      report: { type: 'string' },
      filter: { type: 'string' },
      url: { type: 'string' },
      verbose: { type: 'boolean', default: false },
      trace: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(
      'usage: pnpm es-rest [DIR ...] [--filter TEXT] [--json FILE] [--report FILE] [--verbose] [--url URL]\n' +
        '  DIR       folders or files of YAML tests (default ../shared/es-rest-tests)\n' +
        '  --filter  run tests whose "file name" contains TEXT\n' +
        '  --json    write all results as JSON\n' +
        '  --report  write failures grouped by area (with request/response)\n' +
        '  --verbose print request and response of failing steps\n' +
        '  --trace   print every request and response of test steps (use with --filter)\n' +
        '  --url     run against this Elasticsearch instead of a fresh embedded engine',
    );
    return;
  }
  const verbose = values.verbose;
  const run = await runSuites(
    { dirs: positionals.map((p) => resolve(p)), filter: values.filter, url: values.url },
    {
      onResult: (r) => {
        const line = resultLine(r, verbose);
        if (line !== undefined) console.log(line);
      },
      ...(values.trace
        ? { onExchange: (req, res) => console.log(`${req.method} ${req.path} ${req.body ?? ''}\n  → ${res.status} ${res.text.slice(0, 500)}`) }
        : {}),
    },
  );
  if (values.json !== undefined) {
    const summary = summarize(run.results);
    await writeFile(values.json, JSON.stringify({ version: run.version, summary, results: run.results }, null, 2));
  }
  if (values.report !== undefined) await writeFile(values.report, failureReport(run));
  console.log(closingText(run));
}

main().catch((err: unknown) => {
  console.error(`es-rest: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});
