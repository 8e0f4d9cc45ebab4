/**
 * Job-store conformance, once per Elasticsearch target: embedded in-process, embedded over HTTP,
 * embedded over HTTP with the realistic profile (1 s refresh, 1–3 ms latency, occasional 429s),
 * and a real Elasticsearch when ESJOBS_TEST_ES_URL is set. Targets that are not available are
 * named as skipped.
 */
import { jobStoreSuite } from './jobs-suite.js';
import { jobsTargets } from './jobs-targets.js';

for (const target of await jobsTargets()) jobStoreSuite(target);
