import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { recordedSubnets } from '../src/output/plan';
import { readTree, REPO, run, synth, tempDir, threeClusters, writeInventory } from './helpers';

/**
 * The output folder is input too: it arrives in pull requests. A symbolic link in it is never
 * followed, a FIFO or device never read, and the path guards compare real paths.
 */
const root = tempDir();
let counter = 0;
const SECRET = 'very-secret-canary-4711';

/** A rendered output folder beside its inventory, and a secret file outside both. */
function rendered() {
  const dir = path.join(root, `case-${++counter}`);
  const inventory = writeInventory(path.join(dir, 'clusters'), threeClusters());
  const outdir = path.join(dir, 'dist');
  expect(synth(['--clusters', inventory, '--outdir', outdir]).code).toBe(0);
  const secret = path.join(dir, 'secret.txt');
  fs.writeFileSync(secret, `${SECRET}\n`);
  return { dir, inventory, outdir, secret, opts: ['--clusters', inventory, '--outdir', outdir] };
}

/** Every command refuses, naming the path, without a stack trace, without printing the secret, quickly; the folder stays as it was. */
function refusedByEveryCommand(outdir: string, opts: string[], message: RegExp): void {
  const before = fs.readdirSync(outdir, { recursive: true }).sort();
  for (const command of ['check', 'plan', 'synth']) {
    const started = Date.now();
    const result = run([command, ...opts]);
    expect({ command, code: result.code }).toEqual({ command, code: 1 });
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(/\n\s+at |failed:/);
    expect(`${result.stdout}${result.stderr}`).not.toContain(SECRET);
    expect(Date.now() - started).toBeLessThan(5000);
  }
  expect(fs.readdirSync(outdir, { recursive: true }).sort()).toEqual(before);
}

describe('a hostile output folder', () => {
  it('a symbolic link to a secret file, where a rendered file was', () => {
    const { outdir, secret, opts } = rendered();
    const file = path.join(outdir, 'cluster-a', 'kubernetes', 'kube-system.daemonset.route-config.yaml');
    fs.rmSync(file);
    fs.symlinkSync(secret, file);
    refusedByEveryCommand(outdir, opts, /^error: refusing to read .*kube-system\.daemonset\.route-config\.yaml: it is a symbolic link, and weave-mesh writes only regular files into its output folder; remove it \[output-folder\]$/m);
  });

  it('a symbolic link to a folder outside', () => {
    const { dir, outdir, opts } = rendered();
    fs.mkdirSync(path.join(dir, 'elsewhere'));
    fs.writeFileSync(path.join(dir, 'elsewhere', 'x.yaml'), `${SECRET}\n`);
    fs.symlinkSync(path.join(dir, 'elsewhere'), path.join(outdir, 'cluster-a', 'linked'));
    refusedByEveryCommand(outdir, opts, /refusing to read .*cluster-a\/linked: it is a symbolic link/);
  });

  it('a FIFO (which would block a reader forever)', () => {
    const { outdir, opts } = rendered();
    execFileSync('mkfifo', [path.join(outdir, 'cluster-a', 'pharos', 'pipe.yml')]);
    refusedByEveryCommand(outdir, opts, /refusing to read .*pipe\.yml: it is a FIFO/);
  });

  it('a device (which would never end)', () => {
    const { outdir, opts } = rendered();
    const device = path.join(outdir, 'README.md');
    fs.rmSync(device);
    if (spawnSync('mknod', [device, 'c', '1', '5']).status !== 0) {
      // Not root, or no mknod: a link to /dev/zero is the same threat and must be refused as a link.
      fs.symlinkSync('/dev/zero', device);
    }
    refusedByEveryCommand(outdir, opts, /refusing to read .*README\.md: it is a (device|symbolic link)/);
  });

  it('a file whose name is not valid UTF-8 (git commits any bytes)', () => {
    const { outdir, opts } = rendered();
    fs.writeFileSync(Buffer.concat([Buffer.from(`${outdir}/cluster-a/`), Buffer.from([0xff, 0x2e, 0x79, 0x61, 0x6d, 0x6c])]), 'x: 1\n');
    refusedByEveryCommand(outdir, opts, /^error: refusing to read .*cluster-a\/\ufffd\.yaml: its name is not valid UTF-8, and weave-mesh writes only ASCII names into its output folder; remove it \[output-folder\]$/m);
  });

  it('a folder where a file is expected is a difference, and synth replaces it', () => {
    const { outdir, opts } = rendered();
    const file = path.join(outdir, 'cluster-b', 'pharos', 'cluster.yml');
    fs.rmSync(file);
    fs.mkdirSync(file);
    fs.writeFileSync(path.join(file, 'inner.yml'), 'x: 1\n');
    const check = run(['check', ...opts]);
    expect(check.code).toBe(1);
    expect(check.stderr).toMatch(/is out of date: 2 files differ/);
    expect(synth(opts).code).toBe(0);
    expect(fs.statSync(file).isFile()).toBe(true);
  });

  it('an output folder that is itself a symbolic link is refused, and its target left alone', () => {
    const { dir, inventory, outdir } = rendered();
    const link = path.join(dir, 'dist-link');
    fs.symlinkSync(outdir, link);
    const before = readTree(outdir);
    for (const command of ['synth', 'check', 'plan']) {
      const result = run([command, '--clusters', inventory, '--outdir', link]);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/^error: refusing to use .*dist-link: it is a symbolic link; give the folder it points to as --outdir \[output-folder\]$/m);
    }
    expect(readTree(outdir)).toEqual(before);
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
  });
});

describe('a git merge conflict left in a rendered cluster.yml', () => {
  /** The output folder after a merge of two branches that both re-rendered cluster-a. */
  function conflicted() {
    const folder = rendered();
    const file = path.join(folder.outdir, 'cluster-a', 'pharos', 'cluster.yml');
    const text = fs.readFileSync(file, 'utf8');
    fs.writeFileSync(file, text.replace(/( {4}ipalloc_default_subnet: .*\n)/, '<<<<<<< HEAD\n$1=======\n    ipalloc_default_subnet: 10.36.0.0/16\n>>>>>>> other-branch\n'));
    const line = text.slice(0, text.search(/ {4}ipalloc_default_subnet/)).split('\n').length;
    return { ...folder, file, text, line };
  }
  const warning = (line: number) =>
    new RegExp(
      `^warning: .*dist/cluster-a/pharos/cluster\\.yml:${line}: cluster cluster-a: holds a git merge conflict, so it no longer records the subnet of cluster cluster-a; it is derived from the inventory: run npm run synth to render it again, and commit the result .*\\[output-unreadable\\]$`,
      'm',
    );

  it('check names the file and the way out, with exit 1', () => {
    const { opts, line } = conflicted();
    const result = run(['check', ...opts]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(warning(line));
    expect(result.stderr).toMatch(/is out of date: 1 file differs/);
    expect(result.stderr).not.toMatch(/failed:/);
  });

  it('plan shows the plan and the warning', () => {
    const { opts, line } = conflicted();
    const result = run(['plan', ...opts]);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(warning(line));
    // A running cluster with an unreadable record is not a cluster that joins, and no first-join steps are given for it.
    expect(result.stdout).toContain('NOTE: cluster cluster-a: its rendered cluster.yml cannot be read, so this plan cannot say what changes for it; synth renders it again from the inventory');
    expect(result.stdout).not.toMatch(/cluster-a joins|routes \+ 10\.33\.0\.0\/16|flux bootstrap|argocd cluster add/);
    const json = run(['plan', ...opts, '--format', 'json']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout).problems).toContainEqual(expect.objectContaining({ rule: 'output-unreadable', cluster: 'cluster-a', line }));
  });

  it('synth re-renders it from the inventory, and check then agrees', () => {
    const { opts, file, text, line } = conflicted();
    const result = synth(opts);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(warning(line));
    expect(fs.readFileSync(file, 'utf8')).toBe(text);
    expect(run(['check', ...opts]).code).toBe(0);
  });

  it('a conflict elsewhere in the file (known_peers) also voids its record, as the warning says', () => {
    const { outdir } = rendered();
    const file = path.join(outdir, 'cluster-a', 'pharos', 'cluster.yml');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace(/( {6}- 198\.51\.100\.11\n)/, '<<<<<<< HEAD\n$1=======\n      - 198.51.100.99\n>>>>>>> other-branch\n'));
    expect(fs.readFileSync(file, 'utf8')).toMatch(/^<{7} HEAD$/m);
    expect([...recordedSubnets(outdir).keys()]).toEqual(['cluster-b', 'cluster-c']);
  });

  it('allocate says the record is lost', () => {
    const { inventory, opts, line } = conflicted();
    const clusterFile = path.join(inventory, 'cluster-a.yml');
    fs.writeFileSync(clusterFile, fs.readFileSync(clusterFile, 'utf8').replace(/ {4}ipalloc_default_subnet: .*\n/, ''));
    const result = run(['allocate', 'cluster-a', ...opts]);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(warning(line));
  });
});

describe('the environment changes nothing', () => {
  it("locale, TZ, umask and the yaml package's debug variables: the same files and the same JSON on stdout", () => {
    const { dir, inventory } = rendered();
    const results = [
      { env: { LANG: 'C', TZ: 'UTC' }, umask: '022', outdir: path.join(dir, 'plain') },
      { env: { LANG: 'tr_TR.UTF-8', LC_ALL: 'tr_TR.UTF-8', TZ: 'Pacific/Chatham', LOG_TOKENS: '1', LOG_STREAM: '1' }, umask: '077', outdir: path.join(dir, 'odd') },
    ].map(({ env, umask, outdir }) => {
      const args = ['synth', '--clusters', inventory, '--outdir', outdir, '--format', 'json'];
      const spawned = spawnSync('sh', ['-c', `umask ${umask} && exec "$0" "$@"`, process.execPath, path.join(REPO, 'build', 'main.js'), ...args], { cwd: REPO, env: { ...process.env, ...env }, encoding: 'utf8' });
      return { result: { code: spawned.status, stdout: spawned.stdout }, tree: readTree(outdir) };
    });
    expect(results[1].result.code).toBe(0);
    expect(JSON.parse(results[1].result.stdout)).toEqual(JSON.parse(results[0].result.stdout.replaceAll(`${dir}/plain`, `${dir}/odd`)));
    expect(results[1].tree).toEqual(results[0].tree);
  });
});

describe('path guards compare real paths', () => {
  it('an inventory reached through a link that points inside the output folder is refused, and not deleted', () => {
    const dir = path.join(root, `guard-${++counter}`);
    const outdir = path.join(dir, 'dist');
    fs.mkdirSync(outdir, { recursive: true });
    fs.writeFileSync(path.join(outdir, '.weave-mesh'), 'marker\n');
    const inventory = writeInventory(path.join(outdir, 'clusters'), threeClusters());
    const link = path.join(dir, 'clusters');
    fs.symlinkSync(inventory, link);
    const result = synth(['--clusters', link, '--outdir', outdir]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error: refusing to write to .*dist: the inventory .*clusters lies inside it, and synth replaces the output folder as a whole/m);
    expect(fs.readdirSync(inventory).sort()).toEqual(['cluster-a.yml', 'cluster-b.yml', 'cluster-c.yml']);
  });
});

describe("flux bootstrap's folders are kept exactly", () => {
  it('a relative symbolic link inside flux-system/ stays relative, and is not read', () => {
    const { outdir, opts } = rendered();
    const fluxSystem = path.join(outdir, '_gitops', 'flux', 'clusters', 'cluster-a', 'flux-system');
    fs.mkdirSync(fluxSystem, { recursive: true });
    fs.writeFileSync(path.join(fluxSystem, 'gotk-sync.yaml'), '# bootstrap\n');
    fs.symlinkSync('gotk-sync.yaml', path.join(fluxSystem, 'alias.yaml'));
    // Changes the render, so synth rewrites the folder and carries flux-system/ over.
    const inventory = opts[1];
    fs.writeFileSync(path.join(inventory, 'cluster-c.yml'), fs.readFileSync(path.join(inventory, 'cluster-c.yml'), 'utf8').replace('203.0.113.11', '203.0.113.12'));
    expect(synth(opts).code).toBe(0);
    expect(fs.readlinkSync(path.join(fluxSystem, 'alias.yaml'))).toBe('gotk-sync.yaml');
    expect(fs.readFileSync(path.join(fluxSystem, 'gotk-sync.yaml'), 'utf8')).toBe('# bootstrap\n');
    expect(run(['check', ...opts]).code).toBe(0);
  });
});

describe('cluster files the loader would not read', () => {
  it.each(['cluster-d.YML', 'cluster-d.Yaml'])('%s is refused, naming the file, rather than silently leaving the mesh', (name) => {
    const dir = path.join(root, `ext-${++counter}`);
    const inventory = writeInventory(path.join(dir, 'clusters'), threeClusters());
    fs.writeFileSync(path.join(inventory, name), fs.readFileSync(path.join(inventory, 'cluster-c.yml')));
    const result = synth(['--clusters', inventory, '--outdir', path.join(dir, 'dist')]);
    expect(result.code).toBe(1);
    expect(result.stderr.split('\n')[0]).toMatch(
      new RegExp(`^error: .*${name.replace('.', '\\.')}: has the extension "\\.${name.split('.')[1]}", which is not read as a cluster file; rename it to "cluster-d\\.${name.split('.')[1].toLowerCase()}" \\[inventory-folder\\]$`),
    );
  });

  it('a missing inventory folder is one error line in words, naming the folder, without a system error code', () => {
    const missing = path.join(root, 'no-such-folder');
    const result = synth(['--clusters', missing, '--outdir', path.join(root, 'no-such-dist')]);
    expect(result.code).toBe(1);
    const errors = result.stderr.split('\n').filter((line) => line.startsWith('error:'));
    expect(errors).toEqual([`error: ${missing}: does not exist; give the inventory folder (one <cluster-name>.yml per cluster; the command line names it with --clusters) [inventory-folder]`]);
    expect(result.stderr).not.toMatch(/ENOENT|scandir|\n\s+at /);
  });

  it('a file given as the inventory folder is told so', () => {
    const file = path.join(root, 'not-a-folder.yml');
    fs.writeFileSync(file, 'hosts: []\n');
    const result = synth(['--clusters', file, '--outdir', path.join(root, 'not-a-folder-dist')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`error: ${file}: is not a folder; give the inventory folder`);
    expect(result.stderr).not.toMatch(/ENOTDIR/);
  });
});

describe('cluster names that match internal construct ids', () => {
  it('argocd and flux-<another cluster> are ordinary clusters', () => {
    const dir = path.join(root, `names-${++counter}`);
    const three = threeClusters();
    const clusters = { argocd: three['cluster-a'], 'flux-teardown': three['cluster-b'], teardown: three['cluster-c'] };
    const inventory = writeInventory(path.join(dir, 'clusters'), clusters);
    const result = synth(['--clusters', inventory, '--outdir', path.join(dir, 'dist')]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const tree = readTree(path.join(dir, 'dist'));
    for (const name of Object.keys(clusters)) {
      expect(tree.has(`${name}/kubernetes/kube-system.daemonset.route-config.yaml`)).toBe(true);
      expect(tree.has(`_gitops/flux/clusters/${name}/flux-system.kustomization.weave-mesh.yaml`)).toBe(true);
    }
    expect(tree.has('_gitops/argocd/argocd.applicationset.weave-mesh.yaml')).toBe(true);
  });
});
