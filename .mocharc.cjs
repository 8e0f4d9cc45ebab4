'use strict';
// Tests run from TypeScript sources: the @esjobs/source export condition points workspace
// packages at src/, and tsx compiles on load. Files are isolated (own index prefix, own engine),
// so mocha runs them in parallel across the machine's cores.
const os = require('node:os');

// `mocha some/file.test.ts` runs just that file; plain `mocha` runs every suite.
const named = process.argv.slice(2).some((a) => /\.test\.ts$/.test(a));

module.exports = {
  spec: named ? [] : ['packages/*/test/**/*.test.ts', 'test/**/*.test.ts'],
  'node-option': ['conditions=@esjobs/source', 'import=tsx'],
  parallel: process.env.ESJOBS_TEST_SERIAL !== '1',
  jobs: Math.max(2, os.availableParallelism()),
  timeout: 30_000,
  slow: 2_000,
  reporter: require.resolve('./test/support/summary-reporter.cjs'),
  exit: false,
};
