export * from './errors.js';
export * from './clock.js';
export * from './duration.js';
export * from './events/event-map.js';
