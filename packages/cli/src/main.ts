// The `esjobs` executable: wires the process (argv, env, signals, exit code) to runCli.
import { runCli } from './cli.js';

const controller = new AbortController();
let signals = 0;
const onSignal = (sig: NodeJS.Signals): void => {
  signals++;
  // A second signal means "now": skip the graceful shutdown.
  if (signals > 1) process.exit(sig === 'SIGINT' ? 130 : 143);
  controller.abort();
};
process.on('SIGTERM', onSignal);
process.on('SIGINT', onSignal);

const code = await runCli(process.argv.slice(2), {
  stdout: (line) => process.stdout.write(`${line}\n`),
  stderr: (line) => process.stderr.write(`${line}\n`),
  env: process.env,
  signal: controller.signal,
});
process.off('SIGTERM', onSignal);
process.off('SIGINT', onSignal);
process.exitCode = code;
// If a library left a handle open, don't hang after the command is done.
setTimeout(() => process.exit(code), 2_000).unref();
