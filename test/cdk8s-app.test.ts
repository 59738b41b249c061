// Needs: git
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
/** A cdk8s synth of the app takes 5-15 s (ts-node compiles main.ts), more on a busy machine; some tests run two. */
const SYNTH_TIMEOUT = 240_000;
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

/** The real cdk8s-cli of the app: `cdk8s synth` in `cwd` (the app's folder, wherever it is now). */
function synthIn(cwd: string, ...args: string[]) {
  return run(process.execPath, [path.join(cwd, 'node_modules', 'cdk8s-cli', 'bin', 'cdk8s'), 'synth', ...args], cwd);
}

function synth(...args: string[]) {
  return synthIn(app, ...args);
}

/** git in `cwd`, as the user of the app runs it. */
function git(cwd: string, ...args: string[]): string {
  const result = run('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.org', ...args], cwd);
  if (result.code !== 0) throw new Error(`git ${args.join(' ')} failed: ${result.stderr}`);
  return result.stdout;
}

/** Runs `body` with main.ts changed by `change`, then puts main.ts back. */
function withMain<T>(cwd: string, change: (text: string) => string, body: () => T): T {
  const main = path.join(cwd, 'main.ts');
  const original = fs.readFileSync(main, 'utf8');
  const changed = change(original);
  expect(changed).not.toBe(original);
  fs.writeFileSync(main, changed);
  try {
    return body();
  } finally {
    fs.writeFileSync(main, original);
  }
}

/** A refusal of cdk8s synth as the user sees it: the problem lines and what became of dist/, no frames of weave-mesh's code. */
function expectRefused(result: ReturnType<typeof run>, ...lines: string[]) {
  // The app exits 1 (invalid input), and cdk8s-cli passes that on.
  expect(result.code).toBe(1);
  for (const line of lines) expect(result.stderr).toContain(line);
  expect(result.stderr).toContain('; nothing was written to dist; cdk8s synth deletes dist before it runs the app, so weave-mesh put back what git has for it (git checkout -- dist): it is as committed\n');
  // cdk8s-cli's own "returned a non-zero exit code" comes with its frames; none of ours, no uncaught error.
  expect(result.stderr).not.toMatch(/MeshSynthError|weave-mesh[/\\]lib[/\\]|^\s+throw /m);
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
  // The app at the top of its own repository, dist/ to be committed (the README: drop the template's dist/ line from .gitignore).
  const ignore = path.join(app, '.gitignore');
  fs.writeFileSync(ignore, fs.readFileSync(ignore, 'utf8').replace(/^dist\/\n/m, ''));
  git(app, 'init', '-q');
  git(app, 'add', '-A');
  git(app, 'commit', '-qm', 'cdk8s init typescript-app, with weave-mesh');
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
    // No pathPrefix in main.ts: git says the app is at the repository's top, so its output folder is dist.
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
    // Committed, as Argo CD, Flux and pharos up read it.
    git(app, 'add', '-A');
    git(app, 'commit', '-qm', 'dist/');
    expect(git(app, 'status', '--porcelain')).toBe('');
  });

  it("cdk8s synth --stdout prints one cluster's synced objects beside the app's own, or refuses naming how to select one", () => {
    const refused = synth('--stdout');
    expect(refused.code).not.toBe(0);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toContain("error: cdk8s synth --stdout prints one cluster's objects, for one kubectl apply");
    expect(refused.stderr).toContain('WEAVE_MESH_CLUSTER=<cluster> cdk8s synth --stdout | kubectl --context <cluster> apply -f -, with one of cluster-a, cluster-b');
    expect(refused.stderr).toContain('\nweave-mesh: 1 error; nothing was printed\n');
    expect(refused.stderr).not.toMatch(/MeshSynthError|weave-mesh[/\\]lib[/\\]/);
    process.env.WEAVE_MESH_CLUSTER = 'cluster-b';
    try {
      const printed = synth('--stdout');
      expect(printed.code).toBe(0);
      // The CLI prints each file of its folder in turn: the app's own chart, and ours with cluster-b's synced objects only.
      const documents = parseAllDocuments(printed.stdout)
        .map((document) => document.toJS())
        .filter((object) => object !== null);
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

  it(
    'a refused cdk8s synth (an overlap) names it in plain lines and leaves the committed dist/ byte for byte as it was, although the CLI deleted it first',
    () => {
      const committed = readTree(path.join(app, 'dist'));
      const result = withMain(
        app,
        (text) => text.replace("ipalloc_default_subnet: '10.34.0.0/16'", "ipalloc_default_subnet: '10.33.0.0/16'"),
        () => synth(),
      );
      expectRefused(result, 'error: weave-mesh/cluster-b: cluster cluster-b: network.weave.ipalloc_default_subnet: 10.33.0.0/16 overlaps 10.33.0.0/16 of cluster cluster-a', '\nweave-mesh: 1 error; nothing was written to dist;');
      expect(git(app, 'status', '--porcelain')).toBe('');
      expect(readTree(path.join(app, 'dist'))).toEqual(committed);
    },
    SYNTH_TIMEOUT,
  );

  it(
    'a cluster without its subnet, and a gitops setting Flux cannot take, are located problems (the recorded subnet named), not a stack trace; dist/ as committed',
    () => {
      const missing = withMain(
        app,
        (text) => text.replace(", ipalloc_default_subnet: '10.34.0.0/16'", ''),
        () => synth(),
      );
      expectRefused(
        missing,
        "error: weave-mesh/cluster-b: cluster cluster-b: network.weave.ipalloc_default_subnet: is missing; every cluster needs its own subnet inside pod_network_cidr: the output folder records 10.34.0.0/16 for this cluster, the subnet its running pods have; set network.weave.ipalloc_default_subnet: '10.34.0.0/16' [missing-subnet]",
      );
      expect(git(app, 'status', '--porcelain')).toBe('');
      const setting = withMain(
        app,
        (text) => text.replace("repoURL: 'https://git.example.org/platform/cluster-network.git',", "repoURL: 'git@host:x',\n    tools: ['flux'],"),
        () => synth(),
      );
      expectRefused(setting, 'error: weave-mesh: gitops.repoURL: "git@host:x": Flux takes only http://, https:// or ssh:// URLs; write ssh://user@host/path [settings]\n');
      expect(git(app, 'status', '--porcelain')).toBe('');
    },
    SYNTH_TIMEOUT,
  );

  it(
    "refuses a pathPrefix that is not where git has dist (the README's old examples/cdk8s-app/dist, at a repository's top), dist/ as committed",
    () => {
      const result = withMain(
        app,
        (text) => text.replace("repoURL: 'https://git.example.org/platform/cluster-network.git',", "repoURL: 'https://git.example.org/platform/cluster-network.git',\n    pathPrefix: 'examples/cdk8s-app/dist',"),
        () => synth(),
      );
      expectRefused(
        result,
        'error: weave-mesh: gitops.pathPrefix: is examples/cdk8s-app/dist, but the tree is written to dist, which is dist in the git repository (git rev-parse --show-prefix), so Argo CD and Flux would sync folders that synth does not write; set gitops.pathPrefix to dist, or leave it out: the default asks git [gitops-path]',
      );
      expect(git(app, 'status', '--porcelain')).toBe('');
    },
    SYNTH_TIMEOUT,
  );

  it(
    'warns as npm run synth does: a shared service CIDR, and a running cluster renumbered against the subnet the committed dist/ records',
    () => {
      const result = withMain(
        app,
        (text) => text.replace("service_cidr: '172.17.0.0/16'", "service_cidr: '172.16.0.0/16'").replace("ipalloc_default_subnet: '10.34.0.0/16'", "ipalloc_default_subnet: '10.35.0.0/16'"),
        () => synth(),
      );
      try {
        expect(result.code).toBe(0);
        const warnings = result.stderr.split('\n').filter((line) => line.startsWith('warning: '));
        expect(warnings).toEqual([
          'warning: weave-mesh/cluster-b: cluster cluster-b: network.service_cidr: 172.16.0.0/16 is also the service CIDR of cluster cluster-a; that works, but a service IP then means different services in those clusters [shared-service-cidr]',
          expect.stringMatching(
            /^warning: weave-mesh\/cluster-b: cluster cluster-b: network\.weave\.ipalloc_default_subnet: changes from 10\.34\.0\.0\/16 to 10\.35\.0\.0\/16: this renumbers its running pods.*; if that is not meant, put back .*\[renumbering\]$/,
          ),
        ]);
        expect(fs.readFileSync(path.join(app, 'dist', 'cluster-b', 'pharos', 'cluster.yml'), 'utf8')).toContain('10.35.0.0/16');
      } finally {
        git(app, 'checkout', '-q', '--', 'dist');
      }
      expect(git(app, 'status', '--porcelain')).toBe('');
    },
    SYNTH_TIMEOUT,
  );

  it(
    "in a sub-folder of a repository: the GitOps paths are the app folder's by default, pathPrefix: dist is refused, dist/ stays as committed",
    () => {
      // The same app, moved into apps/network/ of a new repository.
      const repo = path.join(root, 'repo');
      const moved = path.join(repo, 'apps', 'network');
      fs.mkdirSync(path.dirname(moved), { recursive: true });
      fs.renameSync(app, moved);
      try {
        fs.rmSync(path.join(moved, '.git'), { recursive: true, force: true });
        fs.rmSync(path.join(moved, 'dist'), { recursive: true, force: true });
        git(repo, 'init', '-q');
        git(repo, 'add', '-A');
        git(repo, 'commit', '-qm', 'the app in apps/network');
        const rendered = synthIn(moved);
        expect(rendered.stderr).not.toMatch(/error/i);
        expect(rendered.code).toBe(0);
        const tree = readTree(path.join(moved, 'dist'));
        expect(parse(tree.get('_gitops/argocd/argocd.applicationset.weave-mesh.yaml')!).spec.generators[0].git.directories[0].path).toBe('apps/network/dist/*/kubernetes');
        const sync = parse(tree.get('_gitops/flux/clusters/cluster-a/flux-system.kustomization.weave-mesh.yaml')!);
        expect(sync.spec.path).toBe('./apps/network/dist/cluster-a/kubernetes');
        expect(fs.existsSync(path.join(repo, sync.spec.path, 'kustomization.yaml'))).toBe(true);
        git(repo, 'add', '-A');
        git(repo, 'commit', '-qm', 'apps/network/dist');

        const refused = withMain(
          moved,
          (text) => text.replace("repoURL: 'https://git.example.org/platform/cluster-network.git',", "repoURL: 'https://git.example.org/platform/cluster-network.git',\n    pathPrefix: 'dist',"),
          () => synthIn(moved),
        );
        expectRefused(refused, 'error: weave-mesh: gitops.pathPrefix: is dist, but the tree is written to dist, which is apps/network/dist in the git repository (git rev-parse --show-prefix)');
        expect(git(repo, 'status', '--porcelain')).toBe('');
        expect(readTree(path.join(moved, 'dist'))).toEqual(tree);
      } finally {
        fs.renameSync(moved, app);
      }
    },
    SYNTH_TIMEOUT,
  );
});
