import type { Command } from './command.js';
import { envName } from './flags.js';

export function rootHelp(commands: readonly Command[], version: string): string {
  const width = Math.max(...commands.map((c) => c.path.join(' ').length), 10);
  return [
    `esjobs ${version} — jobs on Elasticsearch`,
    '',
    'Usage: esjobs <command> [flags]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.path.join(' ').padEnd(width)}  ${c.summary}`),
    '',
    'Global flags:',
    '  --help       show help (also after a command)',
    '  --version    print the version',
    '',
    'Every flag can also be set through an ESJOBS_<FLAG> environment variable (e.g. --data-dir → ESJOBS_DATA_DIR).',
  ].join('\n');
}

export function commandHelp(cmd: Command): string {
  const lines = [`Usage: esjobs ${cmd.path.join(' ')} [flags]`, '', cmd.summary, '', 'Flags:'];
  for (const f of cmd.flags) {
    const left = f.type === 'boolean' ? `--${f.name}` : `--${f.name} ${f.valueName ?? 'VALUE'}`;
    const def = f.defaultText ? ` (default ${f.defaultText})` : '';
    const multi = f.multiple ? ' (repeatable)' : '';
    lines.push(`  ${left.padEnd(26)} ${f.description}${def}${multi}  [${envName(f)}]`);
  }
  if (cmd.details) lines.push('', cmd.details);
  return lines.join('\n');
}

export function groupHelp(commands: readonly Command[], group: string): string {
  return [`Commands under "${group}":`, ...commands.filter((c) => c.path[0] === group).map((c) => `  esjobs ${c.path.join(' ')}  ${c.summary}`)].join('\n');
}
