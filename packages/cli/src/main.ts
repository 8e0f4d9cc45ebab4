// The `esjobs` executable: wires the process (argv, env, signals, exit code) to runCli.
import { runCli } from './cli.js';

// After a second signal the command gets this long to abort and release its work.
const FORCE_GRACE_MS = 2_000;

const controller = new AbortController();
const force = new AbortController();
let signals = 0;
let forcedCode: number | undefined;
const onSignal = (sig: NodeJS.Signals): void => {
  signals++;
  if (signals === 1) {
    controller.abort();
    return;
  }
  if (forcedCode !== undefined) return;
  // A second signal means "now": commands abort and give their work back (worker start releases
  // its running jobs); if that hangs, exit anyway after a bounded grace.
  forcedCode = sig === 'SIGINT' ? 130 : 143;
  const code = forcedCode;
  force.abort();
  setTimeout(() => process.exit(code), FORCE_GRACE_MS);
};
process.on('SIGTERM', onSignal);
process.on('SIGINT', onSignal);

const result = await runCli(process.argv.slice(2), {
  stdout: (line) => process.stdout.write(`${line}\n`),
  stderr: (line) => process.stderr.write(`${line}\n`),
  env: process.env,
  signal: controller.signal,
  forceSignal: force.signal,
});
process.off('SIGTERM', onSignal);
process.off('SIGINT', onSignal);
// A forced stop exits like a signal-killed process even when everything was given back in time.
const code = forcedCode ?? result;
process.exitCode = code;
if (forcedCode !== undefined) process.exit(code);
// If a library left a handle open, don't hang after the command is done.
setTimeout(() => process.exit(code), 2_000).unref();
