/**
 * The engine-level benchmarks (bench/engine-*.ts, by the engine's authors) run as child
 * processes with smaller sizes under --quick; their output is kept verbatim.
 */
import { spawnSync } from 'node:child_process';
import { repoRoot } from './processes.js';

export interface EngineBenchmark {
  readonly script: string;
  readonly env: Readonly<Record<string, string>>;
  readonly args: readonly string[];
  readonly status: number | null;
  readonly output: string;
}

const scripts: readonly { script: string; quick: Record<string, string>; full: Record<string, string>; quickArgs: string[]; fullArgs: string[] }[] = [
  { script: 'bench/engine-io.ts', quick: { BENCH_MS: '500' }, full: {}, quickArgs: [], fullArgs: [] },
  { script: 'bench/engine-store.ts', quick: { N: '10000', BULK_DOCS: '20000' }, full: {}, quickArgs: [], fullArgs: [] },
  { script: 'bench/engine-search.ts', quick: {}, full: {}, quickArgs: ['20000'], fullArgs: [] },
];

export function runEngineBenchmarks(quick: boolean): Promise<EngineBenchmark[]> {
  const out: EngineBenchmark[] = [];
  for (const s of scripts) {
    const env = quick ? s.quick : s.full;
    const args = quick ? s.quickArgs : s.fullArgs;
    process.stdout.write(`  ${s.script} … `);
    const t = performance.now();
    const r = spawnSync(process.execPath, ['--conditions=@esjobs/source', '--import', 'tsx', s.script, ...args], {
      cwd: repoRoot,
      env: { ...process.env, ...env },
      encoding: 'utf8',
      timeout: 600_000,
    });
    console.log(`${((performance.now() - t) / 1000).toFixed(1)} s${r.status === 0 ? '' : ` (exit ${String(r.status)})`}`);
    out.push({ script: s.script, env, args, status: r.status, output: `${r.stdout}${r.status === 0 ? '' : r.stderr}`.trim() });
  }
  return Promise.resolve(out);
}
