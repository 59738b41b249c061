// Ends the run with the plain "N passed, N failed" line that CI tooling reads in any language, written
// at exit so that it comes after jest's own summary. It also counts the test files that failed to run
// (a file that does not load, or that needs a missing tool, runs no test and so fails none), and names
// what WEAVE_MESH_SKIP left out, so that a green line never hides a test that did not run.
const path = require('path');
const { skippedFiles } = require('./tools');

const ROOT = path.join(__dirname, '..');

/** The summary line of a run's results, as the reporter prints it (without the line break). */
function summaryLine(results, skipped) {
  const parts = [`${results.numPassedTests} passed`, `${results.numFailedTests} failed`];
  const notRun = results.testResults.filter((file) => file.testExecError).map((file) => path.relative(ROOT, file.testFilePath));
  if (notRun.length > 0) parts.push(`${notRun.length} test file${notRun.length === 1 ? '' : 's'} failed to run (${notRun.join(', ')})`);
  if (results.numPendingTests + results.numTodoTests > 0) parts.push(`${results.numPendingTests + results.numTodoTests} not run (skipped in the code, or left out by -t)`);
  let line = parts.join(', ');
  if (skipped.length > 0) {
    const names = [...new Set(skipped.flatMap(({ names }) => names))].sort();
    line += `; WEAVE_MESH_SKIP=${names.join(',')} skipped ${skipped.map(({ file, names: by }) => `${path.relative(ROOT, file)} (${by.join(', ')})`).join(', ')}`;
  }
  return line;
}

class SummaryReporter {
  onRunComplete(_contexts, results) {
    const line = `${summaryLine(results, skippedFiles(__dirname))}\n`;
    process.once('exit', () => process.stderr.write(line));
  }
}

module.exports = SummaryReporter;
module.exports.summaryLine = summaryLine;
