/**
 * Mapping of `<prefix>-events`: one document per event (see events/es-transport.ts). The payload
 * is stored, not indexed; the envelope fields the tail and dashboards filter on are keywords.
 * One shard keeps an origin's events on one refresh schedule (the tail does not depend on it).
 */
export const eventsMappings = {
  dynamic: 'strict',
  properties: {
    eventId: { type: 'keyword' },
    origin: { type: 'keyword' },
    seq: { type: 'long' },
    type: { type: 'keyword' },
    at: { type: 'date', format: 'epoch_millis' },
    jobId: { type: 'keyword' },
    queue: { type: 'keyword' },
    workerId: { type: 'keyword' },
    resource: { type: 'keyword' },
    payload: { type: 'object', enabled: false },
  },
} as const;

export const eventsSettings = { number_of_shards: 1 } as const;
