// Ends the run with the plain "N passed, N failed" line that CI tooling reads in any language.
// Written at exit, so it comes after jest's own summary.
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const line = `${results.numPassedTests} passed, ${results.numFailedTests} failed\n`;
    process.once('exit', () => process.stderr.write(line));
  }
}

module.exports = SummaryReporter;
