// Runs the suite in two passes and ends with one plain line, `N passed, N failed, N skipped`, which
// CI reads as the run's result:
//   1. unit tests on every core (they start no process and bind no port);
//   2. integration and end-to-end tests one file at a time: each starts servers and child
//      processes that, run side by side on 2 cores, would time each other out.
// Extra arguments go to both passes. The exit code is non-zero if either pass failed.
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'jest-'));
const passes = [
  ['unit', ['--selectProjects', 'unit', `--maxWorkers=${availableParallelism()}`]],
  ['integration-e2e', ['--selectProjects', 'integration', 'e2e', '--maxWorkers=1']],
];
const totals = { passed: 0, failed: 0, skipped: 0 };
let status = 0;
let crashed = false;
for (const [name, args] of passes) {
  const out = join(dir, `${name}.json`);
  const jest = spawnSync('jest', ['--json', `--outputFile=${out}`, ...args, ...process.argv.slice(2)], { stdio: 'inherit' });
  if (jest.status !== 0) status = jest.status ?? 1;
  try {
    const r = JSON.parse(readFileSync(out, 'utf8'));
    totals.passed += r.numPassedTests;
    totals.failed += r.numFailedTests;
    totals.skipped += r.numPendingTests + r.numTodoTests;
  } catch {
    crashed = true; // jest crashed before writing results; its own output says why
  }
}
console.log(`\n${crashed ? 'jest produced no results for a pass; ' : ''}${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(status || (crashed ? 1 : 0));
