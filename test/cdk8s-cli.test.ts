import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { readTree, REPO, tempDir } from './helpers';

/**
 * `cdk8s synth` with the real, pinned cdk8s CLI, in a copy of this repository: the CLI deletes its
 * `output:` folder before each run, so the committed tree must survive it, flux-system/ included.
 */

const root = tempDir();
const COPIED = ['main.ts', 'src', 'constructs', 'scripts', 'package.json', 'package-lock.json', 'cdk8s.yaml', 'clusters', 'dist', 'tsconfig.json'];
let counter = 0;

/** A fresh copy of the repository (node_modules linked) with a flux-system/ folder in the hub, as flux bootstrap leaves it. */
function checkout(): string {
  const dir = path.join(root, `repo-${++counter}`);
  for (const entry of COPIED) fs.cpSync(path.join(REPO, entry), path.join(dir, entry), { recursive: true });
  fs.symlinkSync(path.join(REPO, 'node_modules'), path.join(dir, 'node_modules'));
  const fluxSystem = path.join(dir, 'dist', '_gitops', 'flux', 'clusters', 'cluster-a', 'flux-system');
  fs.mkdirSync(fluxSystem, { recursive: true });
  fs.writeFileSync(path.join(fluxSystem, 'gotk-sync.yaml'), '# committed by flux bootstrap\n');
  return dir;
}

function cdk8s(dir: string, ...args: string[]) {
  return cdk8sWith({}, dir, ...args);
}

function cdk8sWith(env: NodeJS.ProcessEnv, dir: string, ...args: string[]) {
  const result = spawnSync(process.execPath, [path.join(REPO, 'node_modules', 'cdk8s-cli', 'bin', 'cdk8s'), 'synth', ...args], {
    cwd: dir,
    // No look-up of newer CLI versions on the network.
    env: { ...process.env, WEAVE_MESH_CLUSTER: '', CDK8S_CHECK_UPGRADE: 'false', ...env },
    encoding: 'utf8',
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The rendered Kubernetes objects of a tree, parsed, in a stable order. */
function objectsOf(tree: Map<string, string>, folder = ''): unknown[] {
  return [...tree.entries()]
    .filter(([file]) => file.startsWith(folder) && file.endsWith('.yaml') && !file.endsWith('kustomization.yaml') && !file.includes('flux-system/'))
    .map(([, content]) => parseAllDocuments(content)[0].toJS())
    .sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
}

function breakInventory(dir: string): void {
  const file = path.join(dir, 'clusters', 'cluster-b.yml');
  fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('ipalloc_default_subnet: 10.34.0.0/16', 'ipalloc_default_subnet: 10.33.0.0/16'));
}

describe('cdk8s synth (the pinned cdk8s CLI)', () => {
  it('renders exactly what npm run synth renders, keeps flux-system/, and gives the CLI the Kubernetes objects', () => {
    const dir = checkout();
    const result = cdk8s(dir);
    expect(result.code).toBe(0);
    const tree = readTree(path.join(dir, 'dist'));
    expect(tree.get('_gitops/flux/clusters/cluster-a/flux-system/gotk-sync.yaml')).toBe('# committed by flux bootstrap\n');
    tree.delete('_gitops/flux/clusters/cluster-a/flux-system/gotk-sync.yaml');
    expect(tree).toEqual(readTree(path.join(REPO, 'dist')));
    // The CLI's own output folder holds a scratch copy of the objects in one file, which it lists.
    // Documents between separators; the file opens and closes with one (the empty last document is null).
    const scratch = parseAllDocuments(fs.readFileSync(path.join(dir, '.cdk8s.out', 'weave-mesh.k8s.yaml'), 'utf8'))
      .map((document) => document.toJS())
      .filter((object) => object !== null);
    expect(scratch.sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1))).toEqual(objectsOf(tree));
    expect(result.stdout).toContain('  - .cdk8s.out/weave-mesh.k8s.yaml');
    // The CLI swallows the app's standard output: the summary, and where each cluster's files are, come on standard error.
    expect(result.stderr).toMatch(/^weave-mesh: rendered 2 clusters into dist \(unchanged\)\n {2}cluster {4}subnet/m);
    expect(result.stderr).toContain(
      "weave-mesh: per cluster, dist/<cluster>/kubernetes/ is what Argo CD or Flux syncs and dist/<cluster>/pharos/cluster.yml what pharos up -c reads; the file cdk8s lists below holds every cluster's objects in one stream, a scratch copy for listing, never to apply",
    );
  });

  it('--stdout without a cluster is refused (the app exits 2, cdk8s synth 1), saying how to select one; dist/ stays as it was', () => {
    const dir = checkout();
    const before = readTree(path.join(dir, 'dist'));
    const result = cdk8s(dir, '--stdout');
    // cdk8s-cli turns any non-zero exit of the app into its own exit 1; the README says so.
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('returned a non-zero exit code 2');
    expect(result.stdout).not.toContain('kind: DaemonSet');
    expect(result.stderr).toContain(
      "error: cdk8s synth --stdout (or --output) prints one cluster's objects, for one kubectl apply: every cluster has its own kube-system/route-config, and together they would all land on one cluster. Select one: WEAVE_MESH_CLUSTER=<cluster> cdk8s synth --stdout | kubectl --context <cluster> apply -f -, with one of cluster-a, cluster-b; dist was left as it was",
    );
    expect(readTree(path.join(dir, 'dist'))).toEqual(before);
  });

  it('WEAVE_MESH_CLUSTER=<cluster> --stdout prints exactly what Argo CD or Flux syncs to that cluster, for one kubectl apply', () => {
    const dir = checkout();
    const before = readTree(path.join(dir, 'dist'));
    const result = cdk8sWith({ WEAVE_MESH_CLUSTER: 'cluster-b' }, dir, '--stdout');
    expect(result.code).toBe(0);
    const printed = parseAllDocuments(result.stdout)
      .map((document) => document.toJS())
      .filter((object) => object !== null)
      .sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
    expect(printed).toEqual(objectsOf(before, 'cluster-b/kubernetes/'));
    // One object per kind and name: one kubectl apply means one thing.
    expect(printed.map((object: any) => `${object.kind}/${object.metadata.namespace}/${object.metadata.name}`)).toEqual(['DaemonSet/kube-system/route-config']);
    expect(JSON.stringify(printed)).toContain('10.33.0.0/16');
    expect(readTree(path.join(dir, 'dist'))).toEqual(before);
    expect(result.stderr).toContain('weave-mesh: cdk8s synth with --stdout or --output: rendered the Kubernetes objects of cluster cluster-b only; dist was left as it was');
    const unknown = cdk8sWith({ WEAVE_MESH_CLUSTER: 'cluster-z' }, dir, '--stdout');
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toContain('error: WEAVE_MESH_CLUSTER="cluster-z" names no cluster of clusters (it has cluster-a, cluster-b); nothing was written');
  });

  it.each([[[]], [['--stdout']]])('on invalid input exits non-zero and leaves the output folder byte-identical (%j)', (args) => {
    const dir = checkout();
    breakInventory(dir);
    const before = readTree(path.join(dir, 'dist'));
    const result = cdk8s(dir, ...args);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('error: clusters/cluster-b.yml:26:29: cluster cluster-b: network.weave.ipalloc_default_subnet: 10.33.0.0/16 overlaps 10.33.0.0/16 of cluster cluster-a');
    expect(result.stderr).toContain('weave-mesh: 1 error in clusters; nothing was written to dist');
    expect(readTree(path.join(dir, 'dist'))).toEqual(before);
  });
});
