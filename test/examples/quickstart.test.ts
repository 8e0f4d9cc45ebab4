import { expect } from 'chai';
import { runExample } from './run-example.js';

describe('examples/quickstart', function () {
  this.timeout(90_000);

  it('runs every kind of job in one process: completed, retried, dead-lettered, scheduled', async () => {
    const { code, out } = await runExample('examples/quickstart/main.ts');
    expect(code, out).to.equal(0);
    expect(out).to.match(/completed {2}send-email \S+ \(attempt 1\)/);
    expect(out).to.match(/completed {2}resize-image \S+ \(attempt 1\)/);
    expect(out).to.match(/retrying {3}charge-card charge-o-1: payment provider timeout \(attempt 1\)/);
    expect(out).to.match(/completed {2}charge-card charge-o-1 \(attempt 2\)/);
    expect(out).to.match(/dead {7}sync-legacy-crm \S+ \(attempts-exhausted\)/);
    // Recurring fires have deterministic ids: <schedule>:<fire time>.
    expect(out).to.match(/completed {2}report report-every-2s:\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z/);
  });
});
