export { LockManager, createLockManager, defaultLockOwner } from './lock-manager.js';
export type { LockManagerOptions, LockInfo, ListLocksOptions } from './lock-manager.js';
export { Lock } from './lock.js';
export type { LockDoc, LockToken } from './lock-doc.js';
export { lockDocId, validateResource, RESOURCE_MAX_BYTES } from './resource-id.js';
export { withLockDefaults, lockTtlMsDefault, lockWaitMsDefault, lockRetryMinMsDefault, lockRetryMaxMsDefault } from './lock-options.js';
export type { LockOptions, ResolvedLockOptions } from './lock-options.js';
export type { WithLockFn } from './with-lock.js';
