/**
 * Mapping of `<prefix>-dead-<queue>`: the job document as it was when it died, plus when and why
 * it was dead-lettered. Same fields as the jobs index so a dead job can be redriven verbatim;
 * `lastError` is text for search by error message.
 */
import { jobFieldsMapping } from './jobs.js';

export const deadMappings = {
  dynamic: 'strict',
  properties: {
    ...jobFieldsMapping,
    deadLetteredAt: { type: 'date' },
    deadReason: { type: 'keyword' },
  },
} as const;
