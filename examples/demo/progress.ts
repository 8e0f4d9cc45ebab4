/**
 * Live progress in the terminal: counts per queue and state, throughput, dead letters, fires of
 * the recurring schedule and the expected outcomes. On a TTY the block is redrawn in place;
 * otherwise (CI, pipes) a one-line summary is printed every few seconds.
 */
import type { QueueCounts } from '@esjobs/core';

export interface Snapshot {
  readonly elapsedMs: number;
  readonly counts: Readonly<Record<string, QueueCounts>>;
  /** Completed jobs per second over the last interval. */
  readonly jobsPerSec: number;
  readonly peakJobsPerSec: number;
  readonly fires: number;
  readonly outcomes: readonly { readonly label: string; readonly met: number; readonly of: number }[];
  readonly workers: number;
}

const states = ['queued', 'delayed', 'active', 'completed', 'failed', 'dead'] as const;

export function totals(counts: Readonly<Record<string, QueueCounts>>): QueueCounts {
  const t: QueueCounts = { queued: 0, delayed: 0, active: 0, completed: 0, failed: 0, dead: 0 };
  for (const c of Object.values(counts)) for (const s of states) t[s] += c[s];
  return t;
}

export function renderBlock(s: Snapshot): string[] {
  const queues = Object.keys(s.counts).sort();
  const head = `${'queue'.padEnd(10)}${states.map((st) => st.padStart(11)).join('')}`;
  const row = (name: string, c: QueueCounts): string => `${name.padEnd(10)}${states.map((st) => String(c[st]).padStart(11)).join('')}`;
  return [
    `esjobs demo — ${(s.elapsedMs / 1000).toFixed(1)} s, ${s.workers} worker processes, ${Math.round(s.jobsPerSec)} jobs/s now (peak ${Math.round(s.peakJobsPerSec)})`,
    head,
    ...queues.map((q) => row(q, s.counts[q] ?? totals({}))),
    row('total', totals(s.counts)),
    `recurring 'report-every-2s' fires completed: ${s.fires}`,
    ...s.outcomes.map((o) => `${o.met === o.of ? '✔' : '…'} ${o.label}: ${o.met}/${o.of}`),
  ];
}

export class ProgressView {
  private drawn = 0;
  private lastLineAt = 0;

  constructor(private readonly tty: boolean, private readonly write: (text: string) => void) {}

  update(s: Snapshot): void {
    if (this.tty) {
      const lines = renderBlock(s);
      // Move up over the previous block and clear each line before redrawing.
      const up = this.drawn > 0 ? `\x1b[${this.drawn}F` : '';
      this.write(`${up}${lines.map((l) => `\x1b[2K${l}`).join('\n')}\n`);
      this.drawn = lines.length;
      return;
    }
    if (s.elapsedMs - this.lastLineAt < 2_000) return;
    this.lastLineAt = s.elapsedMs;
    const t = totals(s.counts);
    this.write(`[${(s.elapsedMs / 1000).toFixed(0).padStart(3)} s] queued ${t.queued} (delayed ${t.delayed}) active ${t.active} completed ${t.completed} dead ${t.dead} · ${Math.round(s.jobsPerSec)} jobs/s · fires ${s.fires} · outcomes ${s.outcomes.filter((o) => o.met === o.of).length}/${s.outcomes.length}\n`);
  }

  /** Later output starts below the block. */
  detach(): void {
    this.drawn = 0;
  }
}
