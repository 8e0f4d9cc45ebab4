/**
 * Mapping of `<prefix>-queues`: one small settings document per queue (id = queue name), today
 * only whether it is paused. Read in real time (mget) by claims, so a pause takes effect without
 * waiting for a refresh.
 */
export const queuesMappings = {
  dynamic: 'strict',
  properties: {
    queue: { type: 'keyword' },
    paused: { type: 'boolean' },
    updatedAt: { type: 'date' },
  },
} as const;

export interface QueueSettingsDocument {
  readonly queue: string;
  readonly paused: boolean;
  readonly updatedAt: string;
}
