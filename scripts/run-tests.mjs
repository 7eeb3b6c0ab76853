// Runs jest with the arguments given and ends with one plain line, `N passed, N failed, N skipped`,
// which CI reads as the run's result. Jest's exit code is passed through.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const out = join(mkdtempSync(join(tmpdir(), 'jest-')), 'results.json');
const jest = spawnSync('jest', ['--json', `--outputFile=${out}`, ...process.argv.slice(2)], { stdio: 'inherit' });
let summary = 'jest produced no results';
try {
  const r = JSON.parse(readFileSync(out, 'utf8'));
  summary = `${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`;
} catch {
  /* jest crashed before writing results; its own output says why */
}
console.log(`\n${summary}`);
process.exit(jest.status ?? 1);
