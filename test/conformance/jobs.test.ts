/**
 * Job-store conformance, once per Elasticsearch target (test/support/targets.ts): embedded
 * in-process, embedded over HTTP, embedded over HTTP with the realistic profile (1 s refresh,
 * 1–3 ms latency, occasional 429s), and a real Elasticsearch when one is configured.
 */
import { forEachTarget } from '../support/targets.js';
import { jobStoreSuite } from './jobs-suite.js';

forEachTarget((target) => jobStoreSuite(target));
