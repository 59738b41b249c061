const path = require('path');
const { skippedFiles } = require('./test/tools');

/** @type {import('jest').Config} */
module.exports = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  // CLI tests run the compiled build/main.js as users do.
  globalSetup: '<rootDir>/test/global-setup.js',
  // A test file that needs a missing tool fails naming it (test/tools.js); only WEAVE_MESH_SKIP leaves such files out.
  setupFilesAfterEnv: ['<rootDir>/test/needs-setup.js'],
  testPathIgnorePatterns: ['/node_modules/', ...skippedFiles(path.join(__dirname, 'test')).map(({ file }) => `${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`)],
  // Type checking is done once by `tsc --noEmit` in `npm test`; with isolatedModules ts-jest only transpiles.
  transform: { '^.+\\.ts$': 'ts-jest' },
  testTimeout: 60000,
  // The example imports the package entry by name, as another cdk8s app would.
  moduleNameMapper: { '^weave-mesh$': '<rootDir>/index.ts' },
  reporters: ['default', '<rootDir>/test/summary-reporter.js'],
};
