import { createRequire } from 'node:module';
import type { Command, CommandContext } from './command.js';
import { UsageError, exitCodes } from './command.js';
import { parseFlags } from './flags.js';
import { commandHelp, groupHelp, rootHelp } from './help.js';
import { commands as registered } from './commands/registry.js';

export interface CliIo {
  readonly stdout: (line: string) => void;
  readonly stderr: (line: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Aborted when the process is asked to stop. */
  readonly signal: AbortSignal;
  /** Aborted when the process is asked to stop at once (a second signal). @defaultValue never */
  readonly forceSignal?: AbortSignal;
}

export function cliVersion(): string {
  // src/ and dist/ both sit one level under the package root.
  const pkg = createRequire(import.meta.url)('../package.json') as { version: string };
  return pkg.version;
}

/** Runs one invocation and returns the exit code; never calls process.exit. */
export async function runCli(argv: readonly string[], io: CliIo, commands: readonly Command[] = registered): Promise<number> {
  const version = cliVersion();
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    io.stdout(rootHelp(commands, version));
    return argv.length === 0 ? exitCodes.usage : exitCodes.ok;
  }
  if (argv[0] === '--version' || argv[0] === '-v') {
    io.stdout(version);
    return exitCodes.ok;
  }
  const cmd = findCommand(commands, argv);
  if (!cmd) {
    const group = argv[0] ?? '';
    if (commands.some((c) => c.path[0] === group)) {
      io.stderr(`esjobs: unknown command "${argv.filter((a) => !a.startsWith('-')).slice(0, 2).join(' ')}"\n${groupHelp(commands, group)}`);
    } else {
      io.stderr(`esjobs: unknown command "${group}". Run "esjobs --help" for the list.`);
    }
    return exitCodes.usage;
  }
  const rest = argv.slice(cmd.path.length);
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout(commandHelp(cmd));
    return exitCodes.ok;
  }
  try {
    const { flags, args } = parseFlags(rest, cmd.flags, io.env);
    const ctx: CommandContext = { flags, args, env: io.env, stdout: io.stdout, stderr: io.stderr, signal: io.signal, forceSignal: io.forceSignal };
    return await cmd.run(ctx);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr(`esjobs ${cmd.path.join(' ')}: ${err.message}\nRun "esjobs ${cmd.path.join(' ')} --help" for usage.`);
      return exitCodes.usage;
    }
    io.stderr(`esjobs ${cmd.path.join(' ')}: ${err instanceof Error ? err.message : String(err)}`);
    return exitCodes.failure;
  }
}

function findCommand(commands: readonly Command[], argv: readonly string[]): Command | undefined {
  let best: Command | undefined;
  for (const c of commands) {
    if (c.path.every((w, i) => argv[i] === w) && (!best || c.path.length > best.path.length)) best = c;
  }
  return best;
}
