import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { REPO, tempDir } from './helpers';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const tools = require('./tools');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { summaryLine } = require('./summary-reporter');

/** How tests that need a tool fail without it, and how WEAVE_MESH_SKIP (and only it) skips them. */
const TEST_DIR = path.join(REPO, 'test');

describe('a test file that needs a missing tool', () => {
  const emptyPath = tempDir();
  // Nothing on PATH but a shell, so every tool is missing.
  fs.symlinkSync(fs.realpathSync('/bin/sh'), path.join(emptyPath, 'sh'));

  const withShellcheck = tempDir();
  fs.symlinkSync(fs.realpathSync('/bin/sh'), path.join(withShellcheck, 'sh'));
  fs.writeFileSync(path.join(withShellcheck, 'shellcheck'), '#!/bin/sh\n', { mode: 0o755 });

  it('is told the tool, what it is for, the package and the opt-out', () => {
    expect(tools.missingTools(['ruby', 'shellcheck'], { PATH: emptyPath })).toEqual([
      "ruby: ruby (with yaml and json) is not installed, and Ruby's Psych reads YAML as Pharos does; install it (Debian package ruby; .ci/run installs it), or set WEAVE_MESH_SKIP=ruby to skip the tests that need it",
      "shellcheck: shellcheck is not installed, and shellcheck -s sh lints the node agent's programs; install it (Debian package shellcheck; .ci/run installs it), or set WEAVE_MESH_SKIP=shellcheck to skip the tests that need it",
    ]);
  });

  it('is told nothing when the tool is there', () => {
    expect(tools.missingTools(['shellcheck'], { PATH: withShellcheck })).toEqual([]);
  });
});

describe('WEAVE_MESH_SKIP', () => {
  it('skips exactly the files that declare a name it lists', () => {
    const skipped = tools.skippedFiles(TEST_DIR, { WEAVE_MESH_SKIP: 'ruby, netns' });
    const names = skipped.map(({ file, names }: { file: string; names: string[] }) => `${path.basename(file)}: ${names.join(' ')}`);
    expect(names).toContain('pharos.test.ts: ruby');
    expect(names).toContain('route-agent.e2e.test.ts: netns');
    expect(names.filter((name: string) => name.startsWith('gitops.test.ts'))).toEqual([]);
    expect(tools.skippedFiles(TEST_DIR, {})).toEqual([]);
  });

  it('refuses a name no test needs, so a typo never skips silently', () => {
    expect(() => tools.skipList({ WEAVE_MESH_SKIP: 'rubby' })).toThrow(/WEAVE_MESH_SKIP names rubby, which no test needs; the names are ruby, kubectl/);
  });

  it('is declared by every file that calls a tool, so that it can skip them', () => {
    // What a test file does that needs each tool, directly or through a helper of test/.
    const uses: Record<string, RegExp> = {
      kubectl: /\bkustomize\(|spawnSync\('kubectl'/,
      ruby: /from '\.\/psych'|spawnSync\('ruby'/,
      shellcheck: /spawnSync\('shellcheck'/,
      busybox: /from '\.\/fake-tools'|busyboxPath/,
      // run('git', ...): cdk8s-app.test.ts's own spawn helper.
      git: /(execFileSync|spawnSync|\brun)\('git'|from '\.\/git-repo'/,
      netns: /\bSimulatedMesh\b/,
    };
    const undeclared = fs
      .readdirSync(TEST_DIR)
      // This file names the patterns, not the tools.
      .filter((name) => name.endsWith('.test.ts') && name !== path.basename(__filename))
      .flatMap((name) => {
        const text = fs.readFileSync(path.join(TEST_DIR, name), 'utf8');
        const declared = tools.needsOf(path.join(TEST_DIR, name));
        return Object.entries(uses)
          .filter(([tool, pattern]) => pattern.test(text) && !declared.includes(tool))
          .map(([tool]) => `${name}: ${tool}`);
      });
    expect(undeclared).toEqual([]);
  });
});

describe('the summary line', () => {
  const results = (files: { testFilePath: string; testExecError?: unknown }[], counts: Record<string, number> = {}) => ({
    numPassedTests: 10,
    numFailedTests: 0,
    numPendingTests: 0,
    numTodoTests: 0,
    testResults: files,
    ...counts,
  });

  it('counts passed and failed tests', () => {
    expect(summaryLine(results([{ testFilePath: path.join(TEST_DIR, 'a.test.ts') }], { numFailedTests: 2 }), [])).toBe('10 passed, 2 failed');
  });

  it('counts a test file that failed to run, which fails no test', () => {
    const line = summaryLine(results([{ testFilePath: path.join(TEST_DIR, 'a.test.ts') }, { testFilePath: path.join(TEST_DIR, 'pharos.test.ts'), testExecError: { message: 'needs ruby' } }]), []);
    expect(line).toBe('10 passed, 0 failed, 1 test file failed to run (test/pharos.test.ts)');
  });

  it('names what WEAVE_MESH_SKIP left out, and tests that did not run', () => {
    const skipped = [
      { file: path.join(TEST_DIR, 'pharos.test.ts'), names: ['ruby'] },
      { file: path.join(TEST_DIR, 'route-agent.e2e.test.ts'), names: ['netns', 'root'] },
    ];
    expect(summaryLine(results([], { numPendingTests: 1 }), skipped)).toBe(
      '10 passed, 0 failed, 1 not run (skipped in the code, or left out by -t); WEAVE_MESH_SKIP=netns,root,ruby skipped test/pharos.test.ts (ruby), test/route-agent.e2e.test.ts (netns, root)',
    );
  });
});

describe('.ci/run', () => {
  const script = path.join(REPO, '.ci', 'run');

  it('refuses WEAVE_MESH_SKIP before it installs or runs anything: CI runs every test', () => {
    const result = spawnSync('bash', [script], { encoding: 'utf8', env: { ...process.env, WEAVE_MESH_SKIP: 'ruby' } });
    expect(result.status).toBe(1);
    expect(result.stderr).toBe('error: .ci/run: WEAVE_MESH_SKIP=ruby is set, but CI runs every test; unset it\n');
    expect(result.stdout).toBe('');
  });

  it('stops with an error when br_netfilter cannot be loaded, instead of ignoring it', () => {
    const text = fs.readFileSync(script, 'utf8');
    expect(text).not.toMatch(/modprobe[^\n]*\|\| true/);
    expect(text).toMatch(/if \[ ! -d \/proc\/sys\/net\/bridge \] && ! modprobe br_netfilter; then\n {2}echo "error: [^\n]*br_netfilter[^\n]*" >&2\n {2}exit 1\nfi\n/);
  });
});
