import type { Command } from '../command.js';
import { engineStart } from './engine-start.js';
import { workerStart } from './worker-start.js';
import { schedulerStart } from './scheduler-start.js';
import { enqueueCommand } from './enqueue.js';
import { jobsGet } from './jobs-get.js';
import { jobsCancel } from './jobs-cancel.js';
import { stats } from './stats.js';
import { dlqList } from './dlq-list.js';
import { dlqRedrive } from './dlq-redrive.js';
import { schedulesList } from './schedules-list.js';
import { locksList } from './locks-list.js';
import { eventsTail } from './events-tail.js';

/** Every `esjobs` command; add one line per command. */
export const commands: readonly Command[] = [
  engineStart,
  workerStart,
  schedulerStart,
  enqueueCommand,
  jobsGet,
  jobsCancel,
  stats,
  dlqList,
  dlqRedrive,
  schedulesList,
  locksList,
  eventsTail,
];
