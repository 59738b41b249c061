// Runs before each test file: a file that needs a tool missing here fails before any of its tests,
// naming the tool, what it is for and how to get it (see test/tools.js). WEAVE_MESH_SKIP is the only
// way around that, and jest.config.js then leaves the file out altogether.
const path = require('path');
const { needsOf, missingTools } = require('./tools');

const file = expect.getState().testPath;
const missing = missingTools(needsOf(file));
if (missing.length > 0) {
  throw new Error(`${path.relative(path.join(__dirname, '..'), file)} needs what is missing here:\n  ${missing.join('\n  ')}`);
}
