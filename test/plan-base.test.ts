// Needs: git
import * as fs from 'fs';
import * as path from 'path';
import { readBaseTree } from '../src/output/git-tree';
import { readOutputTree } from '../src/output/compare';
import { addClusterC, commitAll, copyExample, git, initRepository } from './git-repo';
import { REPO, run, synth, tempDir } from './helpers';

/**
 * plan --base REF compares the base commit's output folder, read from git, with what the working tree
 * renders: what merging the pull request changes. Each case is a throwaway repository: a base commit
 * with the shipped example, then a pull request commit changing the inventory and its rendered dist/.
 */
const root = tempDir();
let counter = 0;

/** A repository whose base commit has the inventory but no output folder, and a commit rendering it: the first adoption. */
function firstRender(message: string): { dir: string; base: string; opts: string[] } {
  const dir = path.join(root, `repo-${++counter}`);
  fs.mkdirSync(dir);
  copyExample(REPO, dir);
  fs.rmSync(path.join(dir, 'dist'), { recursive: true });
  const base = initRepository(dir);
  const opts = ['--clusters', path.join(dir, 'clusters'), '--outdir', path.join(dir, 'dist')];
  expect(synth(opts).code).toBe(0);
  commitAll(dir, message);
  return { dir, base, opts };
}

/** A repository whose base commit holds the example and whose HEAD adds cluster-c, dist/ rendered and committed. */
function pullRequest() {
  const dir = path.join(root, `repo-${++counter}`);
  fs.mkdirSync(dir);
  copyExample(REPO, dir);
  const base = initRepository(dir);
  addClusterC(dir);
  const opts = ['--clusters', path.join(dir, 'clusters'), '--outdir', path.join(dir, 'dist')];
  expect(synth(opts).code).toBe(0);
  const head = commitAll(dir, 'cluster-c joins');
  return { dir, base, head, opts };
}

describe('plan --base', () => {
  it('shows what merging changes, with next steps naming repository paths, never a temporary one', () => {
    const { dir, base, opts } = pullRequest();
    // Without --base the committed dist/ is current: nothing to say, as before.
    expect(run(['plan', '--summary', ...opts]).stdout).toContain('no changes: the output folder is what the inventory renders');
    const result = run(['plan', '--summary', '--base', base, ...opts]);
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toBe(`weave-mesh plan: what merging changes in dist, from the base ${base} (${base.slice(0, 12)}) to what the inventory renders`);
    expect(lines[1]).toBe('+ cluster cluster-c joins the mesh with subnet 10.35.0.0/16');
    expect(result.stdout).toContain('~ cluster cluster-a: routes + 10.35.0.0/16; peers + 203.0.113.11, 203.0.113.12');
    expect(result.stdout).toContain('  $ pharos up -c dist/cluster-c/pharos/cluster.yml');
    expect(result.stdout).toContain('  $ pharos up -c dist/cluster-a/pharos/cluster.yml');
    expect(result.stdout).not.toContain(dir);
    expect(result.stderr).toBe('');
  });

  it('gives the same in Markdown and JSON, and names the base', () => {
    const { dir, base, opts } = pullRequest();
    const markdown = run(['plan', '--format', 'markdown', '--base', 'HEAD~1', ...opts]);
    expect(markdown.code).toBe(0);
    expect(markdown.stdout).toContain(`What merging changes: the base commit's \`dist\` (\`${base.slice(0, 12)}\`, HEAD~1) against what this branch renders.`);
    expect(markdown.stdout).toContain('| joins | cluster-c | `10.35.0.0/16` |');
    expect(markdown.stdout).toContain('  pharos up -c dist/cluster-c/pharos/cluster.yml');
    expect(markdown.stdout).not.toContain(dir);
    const json = JSON.parse(run(['plan', '--json', '--base', base, ...opts]).stdout);
    expect(json.base).toEqual({ ref: base, commit: base, folder: 'dist' });
    expect(json.plan.clustersAdded).toEqual([{ cluster: 'cluster-c', subnet: '10.35.0.0/16' }]);
    expect(json.nextSteps.map(({ commands }: { commands: string[] }) => commands[0])).toContain('pharos up -c dist/cluster-c/pharos/cluster.yml');
    expect(json.diff).toContain('+++ dist/cluster-c/pharos/cluster.yml\trendered');
    // The old side is the base commit's, not the output folder on disk (which is current).
    expect(json.diff).toContain(`--- /dev/null\tnot in the base ${base.slice(0, 12)}\n+++ dist/cluster-c/pharos/cluster.yml\trendered`);
    expect(json.diff).toContain(`--- dist/cluster-a/pharos/cluster.yml\tbase ${base.slice(0, 12)}\n`);
    expect(json.diff).not.toContain('output folder');
  });

  it('reads exactly the files the base commit holds, as the folder on disk would be read', () => {
    const { dir, base } = pullRequest();
    git(dir, 'checkout', '-q', base);
    const onDisk = readOutputTree(path.join(dir, 'dist'));
    git(dir, 'checkout', '-q', 'main');
    const fromGit = readBaseTree(base, path.join(dir, 'dist'));
    expect([...fromGit.tree.keys()]).toEqual([...onDisk.keys()]);
    expect(fromGit.tree).toEqual(onDisk);
    expect(fromGit.folder).toBe('dist');
  });

  it.each([
    ['a ref that does not exist', () => pullRequest(), 'no-such-branch', /^error: the base no-such-branch is not a commit of this repository: fetch it \(git fetch origin no-such-branch\), or give a branch, tag or commit SHA that exists \[base\]$/],
    ['an option as the ref', () => pullRequest(), '--upload-pack=x', /^error: --base "--upload-pack=x" is not a git ref; give a branch, tag or commit SHA, such as --base origin\/main \[base\]$/],
  ])('refuses %s in one line, exit 1', (_name, make, ref, message) => {
    const { opts } = make();
    const result = run(['plan', `--base=${ref}`, ...opts]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(message);
    expect(result.stderr.split('\n')).toHaveLength(1);
  });

  it('refuses a shallow clone without the base, saying fetch-depth: 0', () => {
    const { dir, base } = pullRequest();
    const clone = path.join(root, `shallow-${++counter}`);
    git(root, 'clone', '-q', '--depth', '1', `file://${dir}`, clone);
    const result = run(['plan', '--base', base, '--clusters', path.join(clone, 'clusters'), '--outdir', path.join(clone, 'dist')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`error: the base ${base} is not in this clone, which is shallow: fetch the history (actions/checkout with fetch-depth: 0, or git fetch --unshallow) and run plan again [base]`);
    // The fix it gives works as written.
    git(clone, 'fetch', '-q', '--unshallow');
    expect(run(['plan', '--summary', '--base', base, '--clusters', path.join(clone, 'clusters'), '--outdir', path.join(clone, 'dist')]).code).toBe(0);
  });

  it("finds the base's output folder where it was when the pull request moves it (gitops.pathPrefix)", () => {
    const dir = path.join(root, `repo-${++counter}`);
    fs.mkdirSync(dir);
    copyExample(REPO, dir);
    const base = initRepository(dir);
    const before = readBaseTree(base, path.join(dir, 'dist')).tree;
    git(dir, 'mv', 'dist', 'mesh');
    commitAll(dir, 'the output folder moves with pathPrefix');
    const moved = readBaseTree(base, path.join(dir, 'mesh'));
    expect({ folder: moved.folder, movedFrom: moved.movedFrom }).toEqual({ folder: 'mesh', movedFrom: 'dist' });
    expect(moved.tree).toEqual(before);
    // A second mesh's new folder beside a first that stays is no move: the base has no state for it.
    fs.mkdirSync(path.join(dir, 'dist'));
    fs.copyFileSync(path.join(dir, 'mesh', '.weave-mesh'), path.join(dir, 'dist', '.weave-mesh'));
    expect(() => readBaseTree(base, path.join(dir, 'second'))).toThrow(`the base ${base} (${base.slice(0, 12)}) has no second/ folder`);
    fs.rmSync(path.join(dir, 'dist'), { recursive: true });
    // Two folders with synth's marker in the base: no guess, the error as before.
    fs.mkdirSync(path.join(dir, 'other'));
    fs.copyFileSync(path.join(dir, 'mesh', '.weave-mesh'), path.join(dir, 'other', '.weave-mesh'));
    const two = commitAll(dir, 'two output folders');
    expect(() => readBaseTree(two, path.join(dir, 'elsewhere'))).toThrow(`the base ${two} (${two.slice(0, 12)}) has no elsewhere/ folder, so there is no rendered state to compare with`);
  });

  it('says in the job summary why there is no plan when the base cannot be read', () => {
    const { opts } = pullRequest();
    const summary = path.join(root, `summary-${++counter}.md`);
    const previous = process.env.GITHUB_STEP_SUMMARY;
    process.env.GITHUB_STEP_SUMMARY = summary;
    try {
      const result = run(['plan', '--summary', '--base', 'no-such-branch', ...opts]);
      expect(result.code).toBe(1);
    } finally {
      if (previous === undefined) delete process.env.GITHUB_STEP_SUMMARY;
      else process.env.GITHUB_STEP_SUMMARY = previous;
    }
    expect(fs.readFileSync(summary, 'utf8').split('\n')).toEqual([
      '<!-- weave-mesh-plan -->',
      '### weave-mesh plan',
      '',
      '**No plan was made:** the base no-such-branch is not a commit of this repository: fetch it (git fetch origin no-such-branch), or give a branch, tag or commit SHA that exists',
      '',
    ]);
  });

  it('names the branch to fetch for a remote-tracking ref that is missing', () => {
    const { opts } = pullRequest();
    const result = run(['plan', '--base', 'origin/release', ...opts]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('error: the base origin/release is not a commit of this repository: fetch it (git fetch origin release), or give a branch, tag or commit SHA that exists [base]\n'.trimEnd());
  });

  it('refuses a base without an output folder, and an output folder outside a repository', () => {
    const { base, opts } = firstRender('first render');
    const result = run(['plan', '--base', base, ...opts]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `error: the base ${base} (${base.slice(0, 12)}) has no dist/ folder, so there is no rendered state to compare with; if this change introduces weave-mesh (the base has no output folder yet), add --base-may-be-empty to plan every cluster as joining; otherwise run plan without --base (it compares with the working tree's dist/), or give a base that holds it [base]`,
    );
    const outside = path.join(root, `plain-${++counter}`);
    copyExample(REPO, outside);
    const refused = run(['plan', '--base', 'main', '--clusters', path.join(outside, 'clusters'), '--outdir', path.join(outside, 'dist')]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^error: --base main: .*dist is not inside a git repository; run plan there from a clone of the repository, or without --base \[base\]$/);
  });

  it('with --base-may-be-empty, plans the first adoption (a base without an output folder) as every cluster joining, with a note', () => {
    const { dir, base, opts } = firstRender('weave-mesh adopted: first render');
    const note = `the base ${base.slice(0, 12)} has no dist/ folder (this change introduces weave-mesh): this plan compares with an empty base, so every cluster joins`;
    const text = run(['plan', '--summary', '--base', base, '--base-may-be-empty', ...opts]);
    expect({ code: text.code, stderr: text.stderr }).toEqual({ code: 0, stderr: '' });
    expect(text.stdout).toContain('+ cluster cluster-a joins the mesh with subnet 10.33.0.0/16');
    expect(text.stdout).toContain('+ cluster cluster-b joins the mesh with subnet 10.34.0.0/16');
    expect(text.stdout).toContain(`NOTE: ${note}`);
    expect(text.stdout).toContain('  $ pharos up -c dist/cluster-a/pharos/cluster.yml');
    expect(text.stdout).not.toContain('leaves');
    const markdown = run(['plan', '--format', 'markdown', '--base', base, '--base-may-be-empty', ...opts]);
    expect(markdown.code).toBe(0);
    expect(markdown.stdout).toContain(`> [!NOTE]\n> ${note}`);
    expect(markdown.stdout).toContain('| joins | cluster-a | `10.33.0.0/16` |');
    expect(markdown.stdout).toContain('| joins | cluster-b | `10.34.0.0/16` |');
    const json = JSON.parse(run(['plan', '--json', '--base', base, '--base-may-be-empty', ...opts]).stdout);
    expect(json.base).toEqual({ ref: base, commit: base, folder: 'dist', empty: true });
    expect(json.notes).toContain(note);
    expect(json.plan.clustersAdded.map(({ cluster }: { cluster: string }) => cluster)).toEqual(['cluster-a', 'cluster-b']);
    // A base that holds the folder is read as ever: the flag changes nothing there.
    const current = commitAll(dir, 'nothing new');
    expect(readBaseTree(current, path.join(dir, 'dist'), { mayBeEmpty: true }).empty).toBeUndefined();
    // A base that is not reachable still fails with its own line, flag or not.
    const missing = run(['plan', '--base', 'no-such-branch', '--base-may-be-empty', ...opts]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe('error: the base no-such-branch is not a commit of this repository: fetch it (git fetch origin no-such-branch), or give a branch, tag or commit SHA that exists [base]');
    // A base that holds another output folder (a second mesh) is not empty: no guess, the error.
    expect(() => readBaseTree(current, path.join(dir, 'second'), { mayBeEmpty: true })).toThrow(`the base ${current} (${current.slice(0, 12)}) has no second/ folder, so there is no rendered state to compare with; run plan without --base`);
    // The flag says how to read a base: without --base it is a usage error.
    const alone = run(['plan', '--base-may-be-empty', ...opts]);
    expect(alone.code).toBe(2);
    expect(alone.stderr).toBe('error: --base-may-be-empty says how to treat a --base without an output folder; give it with --base REF');
  });

  it("treats the base's folder as untrusted: a symbolic link is refused unread, flux-system/ left out", () => {
    const dir = path.join(root, `repo-${++counter}`);
    fs.mkdirSync(dir);
    copyExample(REPO, dir);
    fs.writeFileSync(path.join(dir, 'secret'), 'do not print me\n');
    fs.symlinkSync('../../../secret', path.join(dir, 'dist', 'cluster-a', 'pharos', 'extra.yml'));
    fs.mkdirSync(path.join(dir, 'dist', '_gitops', 'flux', 'clusters', 'cluster-a', 'flux-system'));
    fs.writeFileSync(path.join(dir, 'dist', '_gitops', 'flux', 'clusters', 'cluster-a', 'flux-system', 'gotk-sync.yaml'), '# bootstrap\n');
    const base = initRepository(dir);
    const result = run(['plan', '--base', base, '--clusters', path.join(dir, 'clusters'), '--outdir', path.join(dir, 'dist')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`error: refusing to read dist/cluster-a/pharos/extra.yml in the base ${base} (${base.slice(0, 12)}): it is a symbolic link, and weave-mesh writes only regular files into its output folder [base]`);
    expect(result.stdout + result.stderr).not.toContain('do not print me');
    fs.rmSync(path.join(dir, 'dist', 'cluster-a', 'pharos', 'extra.yml'));
    const clean = commitAll(dir, 'no link');
    expect([...readBaseTree(clean, path.join(dir, 'dist')).tree.keys()].some((file) => file.includes('/flux-system/'))).toBe(false);
  });

  it("reports a base's damaged cluster.yml as the base's, not as the working tree's file to render again", () => {
    const dir = path.join(root, `repo-${++counter}`);
    fs.mkdirSync(dir);
    copyExample(REPO, dir);
    const file = path.join(dir, 'dist', 'cluster-b', 'pharos', 'cluster.yml');
    const current = fs.readFileSync(file, 'utf8');
    fs.writeFileSync(file, `${current}<<<<<<< HEAD\n=======\n>>>>>>> other\n`);
    const base = initRepository(dir);
    fs.writeFileSync(file, current);
    commitAll(dir, 'the conflict resolved by synth');
    const opts = ['--clusters', path.join(dir, 'clusters'), '--outdir', path.join(dir, 'dist')];
    const line = current.split('\n').length;
    const message = `dist/cluster-b/pharos/cluster.yml in the base ${base} (${base.slice(0, 12)}), line ${line}, holds a git merge conflict, so the base records no state of cluster cluster-b: this plan cannot say what changes for it; merging replaces the file with what this branch renders`;
    const text = run(['plan', '--summary', '--base', base, ...opts]);
    expect(text.code).toBe(0);
    expect(text.stderr.split('\n').filter((entry) => entry.includes('output-unreadable'))).toEqual([`warning: cluster cluster-b: ${message} [output-unreadable]`]);
    // No annotation on the pull request's file, whose line is another (and holds no conflict).
    const github = run(['plan', '--summary', '--format', 'github', '--base', base, ...opts]);
    expect(github.stdout.split('\n').filter((entry) => entry.includes('output-unreadable'))).toEqual([`::warning title=weave-mesh output-unreadable::cluster cluster-b: ${message}`]);
  });

  it('says so when git refuses a repository another user owns, and how to mark it safe', () => {
    const { dir, base, opts } = pullRequest();
    const home = path.join(root, `home-${++counter}`);
    fs.mkdirSync(home);
    // The check git applies to every user: a repository owned by another uid is refused (root included).
    // Giving the repository another owner needs root: CI runs the tests as root (sudo npm test, .ci/run);
    // elsewhere this case is skipped, in CI it must run (as the e2e and Ruby tests do).
    if (process.getuid?.() !== 0) {
      if (process.env.CI) throw new Error('this case must run in CI, as root: it gives the repository another owner');
      return;
    }
    fs.chownSync(dir, 65534, 65534);
    const previous = process.env.HOME;
    process.env.HOME = home;
    try {
      const result = run(['plan', '--base', base, ...opts]);
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(`error: --base ${base}: git refuses the repository at ${dir}, which another user owns; mark it safe (git config --global --add safe.directory ${dir}), or run plan as its owner [base]`);
    } finally {
      process.env.HOME = previous;
      fs.chownSync(dir, process.getuid!(), process.getgid!());
    }
  });

  it('is an option of plan alone, and needs a ref', () => {
    expect(run(['check', '--base', 'main']).stderr).toContain('error: --base is an option of plan, not of check');
    expect(run(['plan', '--base']).stderr).toContain('error: --base needs a git ref (branch, tag or commit) after it');
  });
});
