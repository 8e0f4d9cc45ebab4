/**
 * Mapping of `<prefix>-locks`: one document per resource (see locks/lock-doc.ts). `dynamic:
 * strict` so a typo in a write fails loudly. One shard: lock documents are few and tiny.
 */
export const locksMappings = {
  dynamic: 'strict',
  properties: {
    resource: { type: 'keyword' },
    owner: { type: 'keyword' },
    fence: { type: 'long' },
    acquiredAt: { type: 'date', format: 'epoch_millis' },
    expiresAt: { type: 'date', format: 'epoch_millis' },
    updatedAt: { type: 'date', format: 'epoch_millis' },
    releasedAt: { type: 'date', format: 'epoch_millis' },
  },
} as const;

export const locksSettings = { number_of_shards: 1 } as const;
