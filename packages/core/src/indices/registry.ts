/**
 * Every index and template esjobs needs, in one list that bootstrap walks. Each mapping lives in
 * the file named after its index (jobs.ts, dead.ts, locks.ts, …); this file only plugs them in.
 * Dead-letter indices are created on demand per queue, so they come from an index template that
 * any process's first dead-letter write picks up.
 */
import type { IndexNames } from '../backend/context.js';
import { deadMappings } from './dead.js';
import { eventsMappings, eventsSettings } from './events.js';
import { jobsMappings, jobsSettings } from './jobs.js';
import { locksMappings, locksSettings } from './locks.js';
import { queuesMappings } from './queues.js';
import { schedulesMappings, schedulesSettings } from './schedules.js';
import { workersMappings, workersSettings } from './workers.js';

/** One field of a mapping, as written in the index files (`as const` objects fit). */
export interface FieldMapping {
  readonly type?: string;
  readonly enabled?: boolean;
  readonly format?: string;
  readonly index?: boolean;
  readonly doc_values?: boolean;
  readonly dynamic?: string | boolean;
  readonly properties?: Readonly<Record<string, FieldMapping>>;
  readonly fields?: Readonly<Record<string, FieldMapping>>;
  readonly [param: string]: unknown;
}

export interface IndexMappings {
  readonly dynamic?: 'strict' | 'true' | 'false' | 'runtime' | boolean;
  readonly properties: Readonly<Record<string, FieldMapping>>;
}

export type IndexSettings = Readonly<Record<string, unknown>>;

export interface IndexDefinition {
  /** Short stable key: `jobs`, `locks`, … */
  readonly key: string;
  readonly index: (names: IndexNames) => string;
  readonly mappings: IndexMappings;
  readonly settings: IndexSettings;
}

export interface TemplateDefinition {
  readonly key: string;
  /** Template name. */
  readonly name: (names: IndexNames) => string;
  /** The index pattern the template applies to. */
  readonly pattern: (names: IndexNames) => string;
  readonly mappings: IndexMappings;
  readonly settings: IndexSettings;
  /** Above Elasticsearch's built-in templates (100) so a prefix like `logs` still gets ours. */
  readonly priority: number;
}

export const indexDefinitions: readonly IndexDefinition[] = [
  { key: 'jobs', index: (n) => n.jobs, mappings: jobsMappings, settings: jobsSettings },
  { key: 'locks', index: (n) => n.locks, mappings: locksMappings, settings: locksSettings },
  { key: 'schedules', index: (n) => n.schedules, mappings: schedulesMappings, settings: schedulesSettings },
  { key: 'workers', index: (n) => n.workers, mappings: workersMappings, settings: workersSettings },
  { key: 'events', index: (n) => n.events, mappings: eventsMappings, settings: eventsSettings },
  { key: 'queues', index: (n) => n.queues, mappings: queuesMappings, settings: { number_of_shards: 1 } },
];

export const templateDefinitions: readonly TemplateDefinition[] = [
  {
    key: 'dead',
    name: (n) => `${n.prefix}-dead`,
    pattern: (n) => n.deadPattern,
    mappings: deadMappings,
    settings: { number_of_shards: 1 },
    priority: 200,
  },
];
