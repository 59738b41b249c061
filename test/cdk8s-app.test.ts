import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { parse, parseAllDocuments } from 'yaml';
import { readTree, REPO, tempDir } from './helpers';

/**
 * examples/cdk8s-app, an app exactly as `cdk8s init typescript-app` writes it, with weave-mesh
 * installed from the packed tarball as a user installs it: its tsconfig compiles the package's
 * types, and `cdk8s synth` writes the whole tree beside the app's own chart. One pack and one
 * install for the whole file (the install takes most of a minute on a cold npm cache).
 */

const EXAMPLE = path.join(REPO, 'examples', 'cdk8s-app');
const root = tempDir('weave-mesh-app-');
const app = path.join(root, 'app');

function run(command: string, args: readonly string[], cwd: string) {
  const result = spawnSync(command, args, {
    cwd,
    encoding: 'utf8',
    // No look-up of newer CLI versions; the template's own CLI, not this repository's.
    env: { ...process.env, CDK8S_CHECK_UPGRADE: 'false', npm_config_update_notifier: 'false' },
    maxBuffer: 64 * 1024 * 1024,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function synth(...args: string[]) {
  return run(process.execPath, [path.join(app, 'node_modules', 'cdk8s-cli', 'bin', 'cdk8s'), 'synth', ...args], app);
}

/**
 * `npm pack` of the package as its `prepare` script builds it, but into a staging copy: prepare
 * rewrites lib/ in place, which `npm run example` (another test file, maybe running at the same
 * time) is reading.
 */
function pack(): string {
  const staging = path.join(root, 'package');
  // The package's own build step (npm run build:lib), into the staging copy: tsc and the agent's programs.
  const built = run(process.execPath, [path.join(REPO, 'scripts', 'build-lib.mjs'), path.join(staging, 'lib')], REPO);
  if (built.code !== 0) throw new Error(`build of lib/ failed: ${built.stdout}${built.stderr}`);
  for (const entry of ['package.json', 'README.md', 'schema']) fs.cpSync(path.join(REPO, entry), path.join(staging, entry), { recursive: true });
  const packed = run('npm', ['pack', '--silent', '--ignore-scripts', '--pack-destination', root], staging);
  if (packed.code !== 0) throw new Error(`npm pack failed: ${packed.stderr}`);
  return path.join(root, packed.stdout.trim().split('\n').pop()!);
}

beforeAll(() => {
  const tarball = pack();
  fs.cpSync(EXAMPLE, app, { recursive: true, filter: (source) => !/[/\\](node_modules|dist)$/.test(source) });
  const manifest = JSON.parse(fs.readFileSync(path.join(app, 'package.json'), 'utf8'));
  manifest.dependencies['weave-mesh'] = `file:${tarball}`;
  fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify(manifest, null, 2));
  const installed = run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], app);
  if (installed.code !== 0) throw new Error(`npm install failed: ${installed.stderr}`);
}, 600_000);

describe('a stock cdk8s app with weave-mesh installed from the packed tarball', () => {
  it('compiles with the template tsconfig: no skipLibCheck, no esModuleInterop', () => {
    const tsconfig = JSON.parse(fs.readFileSync(path.join(app, 'tsconfig.json'), 'utf8'));
    expect(tsconfig.compilerOptions.skipLibCheck).toBeUndefined();
    expect(tsconfig.compilerOptions.esModuleInterop).toBeUndefined();
    const result = run(process.execPath, [path.join(app, 'node_modules', 'typescript', 'bin', 'tsc'), '--noEmit', '-p', 'tsconfig.json'], app);
    expect(result.stdout + result.stderr).toBe('');
    expect(result.code).toBe(0);
  });

  it("the template's own test passes (npm test: jest with its snapshot)", () => {
    const result = run(process.execPath, [path.join(app, 'node_modules', 'jest', 'bin', 'jest.js'), '--ci'], app);
    expect(result.stderr).toContain('Tests:       1 passed, 1 total');
    expect(result.code).toBe(0);
  });

  it('cdk8s synth writes the whole tree with stable names, every GitOps path exists, and the app chart as cdk8s writes it', () => {
    const result = synth();
    expect(result.stderr).not.toMatch(/error/i);
    expect(result.code).toBe(0);
    const tree = readTree(path.join(app, 'dist'));
    for (const cluster of ['cluster-a', 'cluster-b']) {
      expect(tree.get(`${cluster}/pharos/cluster.yml`)).toContain('ipalloc_default_subnet:');
      expect(tree.has(`${cluster}/kubernetes/kustomization.yaml`)).toBe(true);
      expect(tree.has(`_gitops/flux/clusters/${cluster}/flux-system.kustomization.weave-mesh.yaml`)).toBe(true);
    }
    expect(tree.has('README.md')).toBe(true);
    expect(tree.has('_gitops/argocd/kustomization.yaml')).toBe(true);
    // The only flat file is the app's own chart, as cdk8s writes it; the mesh's charts have no hash-named files.
    expect([...tree.keys()].filter((file) => file.endsWith('.k8s.yaml'))).toEqual(['cdk8s-app.k8s.yaml']);
    expect(tree.get('cdk8s-app.k8s.yaml')).toBe('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: greeting\n  namespace: default\ndata:\n  greeting: hello\n');
    // No pathPrefix in main.ts: this copy, outside any git repository, has its output folder at dist.
    const inApp = (repoPath: string) => repoPath.replace(/^\.\//, '');
    const applicationSet = parse(tree.get('_gitops/argocd/argocd.applicationset.weave-mesh.yaml')!);
    for (const { path: pattern } of applicationSet.spec.generators[0].git.directories) {
      expect(pattern).toBe('dist/*/kubernetes');
      for (const cluster of ['cluster-a', 'cluster-b']) expect(fs.existsSync(path.join(app, inApp(pattern).replace('*', cluster), 'kustomization.yaml'))).toBe(true);
    }
    for (const cluster of ['cluster-a', 'cluster-b']) {
      const sync = parse(tree.get(`_gitops/flux/clusters/${cluster}/flux-system.kustomization.weave-mesh.yaml`)!);
      expect(sync.spec.path).toBe(`./dist/${cluster}/kubernetes`);
      expect(fs.existsSync(path.join(app, inApp(sync.spec.path), 'kustomization.yaml'))).toBe(true);
    }
  });

  it('cdk8s synth --stdout prints one cluster\'s synced objects beside the app\'s own, or refuses naming how to select one', () => {
    const refused = synth('--stdout');
    expect(refused.code).not.toBe(0);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toContain("error: cdk8s synth --stdout prints one cluster's objects, for one kubectl apply");
    expect(refused.stderr).toContain('WEAVE_MESH_CLUSTER=<cluster> cdk8s synth --stdout | kubectl --context <cluster> apply -f -, with one of cluster-a, cluster-b');
    process.env.WEAVE_MESH_CLUSTER = 'cluster-b';
    try {
      const printed = synth('--stdout');
      expect(printed.code).toBe(0);
      // The CLI prints each file of its folder in turn: the app's own chart, and ours with cluster-b's synced objects only.
      const documents = parseAllDocuments(printed.stdout).map((document) => document.toJS()).filter((object) => object !== null);
      const kinds = documents.map((object) => `${object.kind}/${object.metadata.name}`);
      expect(kinds).toContain('ConfigMap/greeting');
      expect(kinds).toContain('DaemonSet/route-config');
      expect(kinds.filter((kind) => kind === 'DaemonSet/route-config')).toHaveLength(1);
      expect(kinds).not.toContain('DaemonSet/route-config-teardown');
      expect(kinds.some((kind) => /^(ApplicationSet|GitRepository|Kustomization)\//.test(kind))).toBe(false);
      expect(printed.stdout).toContain('10.33.0.0/16');
    } finally {
      delete process.env.WEAVE_MESH_CLUSTER;
    }
  });

  it('cdk8s synth of an overlapping pair fails naming the overlap', () => {
    const main = path.join(app, 'main.ts');
    const original = fs.readFileSync(main, 'utf8');
    fs.writeFileSync(main, original.replace("ipalloc_default_subnet: '10.34.0.0/16'", "ipalloc_default_subnet: '10.33.0.0/16'"));
    try {
      const result = synth();
      expect(result.code).not.toBe(0);
      expect(result.stdout + result.stderr).toContain(
        'error: weave-mesh/cluster-b: cluster cluster-b: network.weave.ipalloc_default_subnet: 10.33.0.0/16 overlaps 10.33.0.0/16 of cluster cluster-a',
      );
      // The problem lines, not frames of weave-mesh's code.
      expect(result.stderr).not.toMatch(/at App\.synthWithMesh|node_modules\/weave-mesh\/lib\/constructs\/app-synth\.js:\d+\n\s+at /);
      expect(fs.existsSync(path.join(app, 'dist'))).toBe(false);
    } finally {
      fs.writeFileSync(main, original);
    }
  });
});
