import * as fs from 'fs';
import * as path from 'path';
import { buildApp } from '../main';
import { runCli as runInProcess } from '../src/cli';
import { readTree, REPO, run, runCli, synth, tempDir, threeClusters, writeInventory } from './helpers';

const root = tempDir();
let counter = 0;

function rendered() {
  const dir = path.join(root, `case-${++counter}`);
  const inventory = writeInventory(path.join(dir, 'clusters'), threeClusters());
  const outdir = path.join(dir, 'dist');
  expect(synth(['--clusters', inventory, '--outdir', outdir]).code).toBe(0);
  return { inventory, outdir, args: ['check', '--clusters', inventory, '--outdir', outdir] };
}

/** Every file with its content and modification time: check must change neither. */
function snapshotOf(dir: string) {
  return [...readTree(dir).entries()].map(([file, content]) => [file, content, fs.statSync(path.join(dir, file)).mtimeMs]);
}

describe('npm run check', () => {
  it('exits 0 when the output folder is what the inventory renders', () => {
    const { args } = rendered();
    const result = run(args);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/is up to date with/);
  });

  it('exits 1 with a per-file unified diff after a cluster file is edited, and writes nothing', () => {
    const { inventory, outdir, args } = rendered();
    const before = snapshotOf(outdir);
    const file = path.join(inventory, 'cluster-c.yml');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('203.0.113.11', '203.0.113.12'));
    const result = run(args);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`--- ${outdir}/cluster-a/pharos/cluster.yml\toutput folder`);
    expect(result.stdout).toContain(`+++ ${outdir}/cluster-a/pharos/cluster.yml\trendered`);
    expect(result.stdout).toMatch(/^-\s+- 203\.0\.113\.11$/m);
    expect(result.stdout).toMatch(/^\+\s+- 203\.0\.113\.12$/m);
    expect(result.stdout).not.toContain('\u001b[');
    expect(result.stdout).not.toMatch(/^(Index: |====)/m);
    // The overview (README.md) lists every cluster's peers, so it changes too, and comes first.
    expect(result.stdout.split('\n')[0]).toBe(`--- ${outdir}/README.md\toutput folder`);
    // cluster-c's own cluster.yml, the other clusters' known_peers, and their route agents, which carry
    // the other clusters' peers to name Weave's links (docs/status.md).
    expect(result.stdout).toContain(`--- ${outdir}/cluster-a/kubernetes/kube-system.daemonset.route-config.yaml\toutput folder`);
    expect(result.stderr).toMatch(/is out of date: 6 files differ from what .* renders; run npm run synth and commit the result$/);
    expect(snapshotOf(outdir)).toEqual(before);
    expect(fs.readdirSync(path.dirname(outdir)).sort()).toEqual(['clusters', 'dist']);
  });

  it('reports files that exist on one side only', () => {
    const { inventory, outdir, args } = rendered();
    fs.writeFileSync(path.join(outdir, 'cluster-a', 'kubernetes', 'extra.yaml'), 'kind: Extra\n');
    fs.rmSync(path.join(outdir, 'cluster-b', 'pharos', 'cluster.yml'));
    const result = run(args);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`--- ${outdir}/cluster-a/kubernetes/extra.yaml\toutput folder`);
    expect(result.stdout).toContain('+++ /dev/null\tno longer rendered');
    expect(result.stdout).toContain('--- /dev/null\tnot in the output folder');
    expect(result.stdout).toContain(`+++ ${outdir}/cluster-b/pharos/cluster.yml\trendered`);
    expect(fs.existsSync(path.join(outdir, 'cluster-a', 'kubernetes', 'extra.yaml'))).toBe(true);
    // check writes nothing: the missing file stays missing.
    expect(fs.existsSync(path.join(outdir, 'cluster-b', 'pharos', 'cluster.yml'))).toBe(false);
    expect(fs.existsSync(inventory)).toBe(true);
  });

  it('reports a missing output folder as every file missing, without creating it', () => {
    const { outdir, args } = rendered();
    fs.rmSync(outdir, { recursive: true });
    const result = run(args);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/files differ/);
    expect(fs.existsSync(outdir)).toBe(false);
  });

  it('ignores the flux-system folder that flux bootstrap commits', () => {
    const { outdir, args } = rendered();
    const bootstrap = path.join(outdir, '_gitops', 'flux', 'clusters', 'cluster-a', 'flux-system');
    fs.mkdirSync(bootstrap);
    fs.writeFileSync(path.join(bootstrap, 'gotk-sync.yaml'), 'kind: GitRepository\n');
    expect(run(args).code).toBe(0);
  });

  it('exits 1 on invalid input, like synth', () => {
    const { inventory, args } = rendered();
    fs.writeFileSync(path.join(inventory, 'cluster-a.yml'), 'hosts: {\n');
    const result = run(args);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error: .*cluster-a\.yml:\d+:\d+: YAML syntax error/m);
  });

  it('colours the diff only on a terminal', () => {
    const { inventory, args } = rendered();
    fs.rmSync(path.join(inventory, 'cluster-c.yml'));
    const lines: string[] = [];
    const code = runInProcess(args, buildApp, { out: (line) => lines.push(line), err: () => undefined, color: true });
    expect(code).toBe(1);
    expect(lines).toContainEqual(expect.stringMatching(/^\u001b\[31m-/));
  });

  it('passes on the committed dist/ of this repository (as CI runs it)', () => {
    const result = runCli(['check']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  });
});

describe('the output folder belongs to synth only when it carries the marker', () => {
  it('refuses to replace a non-empty folder without the marker, and deletes nothing', () => {
    const { inventory } = rendered();
    const foreign = path.join(root, 'foreign');
    fs.mkdirSync(foreign);
    fs.writeFileSync(path.join(foreign, 'precious.txt'), 'keep me\n');
    const result = synth(['--clusters', inventory, '--outdir', foreign]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`error: refusing to replace ${foreign}: it is not empty and has no .weave-mesh marker, so weave-mesh did not write it; choose another --outdir, or empty the folder if it is really yours [output-folder]`);
    expect(readTree(foreign)).toEqual(new Map([['precious.txt', 'keep me\n']]));
  });

  it('refuses --outdir . and --outdir <the inventory>', () => {
    const { inventory } = rendered();
    const dir = path.dirname(inventory);
    const before = readTree(dir);
    expect(runCli(['--clusters', 'clusters', '--outdir', '.'], { cwd: dir }).stderr).toMatch(
      /^error: refusing to write to \.: the inventory clusters lies inside it, and synth replaces the output folder as a whole; give --clusters and --outdir folders apart from each other \[output-folder\]$/m,
    );
    expect(runCli(['--clusters', 'clusters', '--outdir', 'clusters'], { cwd: dir }).stderr).toMatch(/^error: refusing to write to clusters: the inventory clusters lies inside it/m);
    expect(readTree(dir)).toEqual(before);
  });

  it('writes the marker on the first run into a new or empty folder, and replaces a marked one', () => {
    const { inventory } = rendered();
    const empty = path.join(root, 'empty-out');
    fs.mkdirSync(empty);
    expect(synth(['--clusters', inventory, '--outdir', empty]).code).toBe(0);
    expect(fs.readFileSync(path.join(empty, '.weave-mesh'), 'utf8')).toMatch(/rendered by weave-mesh/);
    expect(synth(['--clusters', inventory, '--outdir', empty]).code).toBe(0);
  });

  it('keeps flux-system folders written by flux bootstrap across renders', () => {
    const { inventory, outdir } = rendered();
    const bootstrap = path.join(outdir, '_gitops', 'flux', 'clusters', 'cluster-b', 'flux-system');
    fs.mkdirSync(bootstrap);
    fs.writeFileSync(path.join(bootstrap, 'gotk-components.yaml'), 'kind: Namespace\n');
    expect(synth(['--clusters', inventory, '--outdir', outdir]).code).toBe(0);
    expect(fs.readFileSync(path.join(bootstrap, 'gotk-components.yaml'), 'utf8')).toBe('kind: Namespace\n');
  });
});

describe('the committed dist/ of this repository', () => {
  it('is checked in CI after the tests', () => {
    const ci = fs.readFileSync(path.join(REPO, '.ci', 'run'), 'utf8');
    expect(ci).toMatch(/npm ci\nnpm test\nnpm run check\n/);
  });
});
