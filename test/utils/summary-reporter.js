/** Prints one plain closing line, "tests: N passed, N failed, N skipped", after Jest's own summary. */
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const line = `tests: ${results.numPassedTests} passed, ${results.numFailedTests} failed, ${results.numPendingTests + results.numTodoTests} skipped\n`;
    // After Jest's own summary, as the very last line.
    process.once('exit', () => process.stdout.write(line));
  }
}
module.exports = SummaryReporter;
