const { mkdirSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

/** Prints one closing line `tests: N passed, N failed, N skipped` that CI systems can read (also kept in build/). */
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    const line = `tests: ${results.numPassedTests} passed, ${results.numFailedTests} failed, ${skipped} skipped`;
    process.stdout.write(`\n${line}\n`);
    const dir = join(__dirname, '..', '..', 'build');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'test-summary.txt'), line + '\n');
  }
}
module.exports = SummaryReporter;
