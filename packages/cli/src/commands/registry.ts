import type { Command } from '../command.js';
import { engineStart } from './engine-start.js';
import { workerStart } from './worker-start.js';

/** Every `esjobs` command; add one line per command. */
export const commands: readonly Command[] = [
  engineStart,
  workerStart,
];
