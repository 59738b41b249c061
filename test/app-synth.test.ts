// Needs: git
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { ApiObject, App, Chart } from 'cdk8s';
import { parse } from 'yaml';
import { WeaveMesh, WeaveMeshProps } from '../constructs/weave-mesh';
import { mesh as readmeModel } from '../examples/readme-model';
import { formatProblem } from '../src/mesh/problem';
import { readTree, tempDir, threeClusters } from './helpers';

/**
 * A mesh in the plain cdk8s way: `new App()`, the mesh beside the app's own chart, `app.synth()`.
 * The mesh writes its whole tree into the app's outdir; the app's own chart is written as cdk8s
 * writes it; an invalid mesh writes nothing and throws its problem lines.
 */

const root = tempDir();
let counter = 0;
const REPO_URL = 'https://git.example.org/platform/fleet.git';

class OwnChart extends Chart {
  public constructor(scope: App, id: string) {
    super(scope, id);
    new ApiObject(this, 'config', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'own', namespace: 'default' }, data: { a: 'b' } });
  }
}

/** Runs `body` with the working directory in a fresh folder, as `cdk8s synth` runs an app in its own folder. */
function inFolder<T>(body: (dir: string) => T): T {
  const dir = path.join(root, `app-${++counter}`);
  fs.mkdirSync(dir);
  const saved = process.cwd();
  process.chdir(dir);
  try {
    return body(dir);
  } finally {
    process.chdir(saved);
  }
}

function app(props: Partial<WeaveMeshProps> = {}, outdir?: string): { app: App; mesh: WeaveMesh } {
  const application = new App(outdir ? { outdir } : {});
  const mesh = new WeaveMesh(application, 'weave-mesh', { clusters: threeClusters() as WeaveMeshProps['clusters'], gitops: { repoURL: REPO_URL }, ...props });
  new OwnChart(application, 'own');
  return { app: application, mesh };
}

describe('app.synth() of an App holding a WeaveMesh', () => {
  it('writes the whole tree with stable names into the app outdir, and the app chart as cdk8s writes it', () =>
    inFolder((dir) => {
      app().app.synth();
      const tree = readTree(path.join(dir, 'dist'));
      for (const cluster of ['cluster-a', 'cluster-b', 'cluster-c']) {
        expect(tree.has(`${cluster}/pharos/cluster.yml`)).toBe(true);
        expect(tree.has(`${cluster}/kubernetes/kustomization.yaml`)).toBe(true);
      }
      expect(tree.get('README.md')).toMatch(/cluster-a/);
      expect(tree.has('_teardown/kustomization.yaml')).toBe(true);
      // No flat, hash-suffixed file of the mesh's charts; the app's own chart beside the tree, as a plain App writes it.
      const flat = [...tree.keys()].filter((file) => file.endsWith('.k8s.yaml'));
      expect(flat).toEqual(['own.k8s.yaml']);
      const plain = new App({ outdir: path.join(dir, 'plain') });
      new OwnChart(plain, 'own');
      plain.synth();
      expect(tree.get('own.k8s.yaml')).toBe(fs.readFileSync(path.join(dir, 'plain', 'own.k8s.yaml'), 'utf8'));
      // GitOps paths follow the output folder, and every one of them exists.
      const sync = parse(tree.get('_gitops/flux/clusters/cluster-a/flux-system.kustomization.weave-mesh.yaml')!);
      expect(sync.spec.path).toBe('./dist/cluster-a/kubernetes');
      expect(fs.existsSync(path.join(dir, sync.spec.path))).toBe(true);
      expect(parse(tree.get('_gitops/argocd/argocd.applicationset.weave-mesh.yaml')!).spec.generators[0].git.directories[0].path).toBe('dist/*/kubernetes');
      // A second synth replaces the tree as a whole (the marker says it is the mesh's).
      app().app.synth();
      expect(readTree(path.join(dir, 'dist'))).toEqual(tree);
    }));

  it('follows a relative outdir of the App (the output: of cdk8s.yaml) in the GitOps paths', () =>
    inFolder((dir) => {
      app({}, 'manifests/out').app.synth();
      const sync = parse(fs.readFileSync(path.join(dir, 'manifests/out/_gitops/flux/clusters/cluster-b/flux-system.kustomization.weave-mesh.yaml'), 'utf8'));
      expect(sync.spec.path).toBe('./manifests/out/cluster-b/kubernetes');
    }));

  it('words the placeholder warning for clusters declared in code by the prop to set, not a main.ts setting they lack', () =>
    inFolder(() => {
      const { mesh } = app({ gitops: { repoURL: 'https://github.com/example-org/weave-mesh.git' } });
      expect(mesh.problems.map((problem) => problem.message)).toEqual([
        "is still the placeholder https://github.com/example-org/weave-mesh.git, so Argo CD and Flux would clone a repository that is not yours; set the gitops.repoURL prop of WeaveMesh to this repository's URL",
      ]);
    }));

  it('accepts a pathPrefix that ends with the output folder (the app in a sub-folder of the repository)', () =>
    inFolder(() => {
      expect(app({ gitops: { repoURL: REPO_URL, pathPrefix: 'apps/mesh/dist' } }).mesh.errors()).toEqual([]);
    }));

  it('says of a missing repoURL only that it is missing, not also that it is the placeholder', () =>
    inFolder(() => {
      const rules = app({ gitops: {} }).mesh.problems.map((problem) => problem.rule);
      expect(rules).toContain('gitops-repo-url');
      expect(rules).not.toContain('gitops-placeholder');
    }));

  it.each([
    ['no repoURL', { gitops: {} }, /^error: weave-mesh: gitops\.repoURL: is not set; give WeaveMesh the gitops prop \{ repoURL: .* \[gitops-repo-url\]$/],
    ['a pathPrefix apart from the output folder', { gitops: { repoURL: REPO_URL, pathPrefix: 'deploy' } }, /^error: weave-mesh: gitops\.pathPrefix: is deploy, but the tree is written to dist, .*set gitops\.pathPrefix to dist .*\[gitops-path\]$/],
    [
      'an overlapping pair',
      {
        clusters: {
          ...threeClusters(),
          'cluster-d': {
            ...threeClusters()['cluster-b'],
            hosts: [
              { address: '203.0.113.20', role: 'master' },
              { address: '203.0.113.21', role: 'worker' },
            ],
          },
        },
      },
      /^error: weave-mesh\/cluster-d: cluster cluster-d: network\.weave\.ipalloc_default_subnet: 10\.34\.0\.0\/16 overlaps 10\.34\.0\.0\/16 of cluster cluster-b/,
    ],
  ])('refuses %s: throws the problem lines and writes nothing', (_case, props, line) =>
    inFolder((dir) => {
      const { app: application } = app(props as Partial<WeaveMeshProps>);
      let message = '';
      try {
        application.synth();
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message.split('\n')[0]).toBe('weave-mesh: nothing was written:');
      // Warnings come with the errors, as npm run synth prints them (the overlapping pair also shares a service CIDR).
      expect(
        message
          .split('\n')
          .slice(1)
          .map((text) => text.trim())
          .filter((text) => !text.startsWith('warning: ')),
      ).toEqual([expect.stringMatching(line)]);
      expect(fs.existsSync(path.join(dir, 'dist'))).toBe(false);
    }),
  );

  it('refuses to replace an output folder holding files it did not write', () =>
    inFolder((dir) => {
      fs.mkdirSync(path.join(dir, 'dist'));
      fs.writeFileSync(path.join(dir, 'dist', 'notes.txt'), 'mine\n');
      expect(() => app().app.synth()).toThrow(/refusing to replace dist: it holds notes\.txt, which weave-mesh did not write .*give WeaveMesh an outdir of its own, or empty the folder/);
      expect(readTree(path.join(dir, 'dist'))).toEqual(new Map([['notes.txt', 'mine\n']]));
    }));
});

describe('app.synth() warns as npm run synth does, and under cdk8s synth puts back the output folder the CLI deleted', () => {
  /** What `body` writes on stderr. */
  const stderrOf = (body: () => void): string[] => {
    const written: string[] = [];
    const spy = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    try {
      body();
    } finally {
      spy.mockRestore();
    }
    return written
      .join('')
      .split('\n')
      .filter((line) => line !== '');
  };

  it('prints a shared service CIDR, and a running cluster renumbered against the subnet the output folder records', () =>
    inFolder((dir) => {
      expect(stderrOf(() => app().app.synth())).toEqual([]);
      const clusters = threeClusters();
      clusters['cluster-c'].network.service_cidr = clusters['cluster-b'].network.service_cidr;
      clusters['cluster-c'].network.weave.ipalloc_default_subnet = '10.36.0.0/16';
      expect(stderrOf(() => app({ clusters: clusters as WeaveMeshProps['clusters'] }).app.synth())).toEqual([
        expect.stringMatching(/^warning: weave-mesh\/cluster-c: cluster cluster-c: network\.service_cidr: .* is also the service CIDR of cluster cluster-b; .*\[shared-service-cidr\]$/),
        // At the cluster's construct path, with what to put back when the change was not meant.
        expect.stringMatching(
          /^warning: weave-mesh\/cluster-c: cluster cluster-c: network\.weave\.ipalloc_default_subnet: changes from 10\.35\.0\.0\/16 to 10\.36\.0\.0\/16: this renumbers its running pods.*; if that is not meant, put back ipalloc_default_subnet: 10\.35\.0\.0\/16, .*\[renumbering\]$/,
        ),
      ]);
      expect(fs.readFileSync(path.join(dir, 'dist', 'cluster-c', 'pharos', 'cluster.yml'), 'utf8')).toContain('10.36.0.0/16');
    }));

  it('puts back what git has for the folder cdk8s synth deleted (CDK8S_OUTDIR), before anything can refuse; not for a mesh with a folder of its own', () =>
    inFolder((dir) => {
      const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.org', ...args], { cwd: dir, stdio: 'pipe' });
      git('init', '-q');
      app().app.synth();
      git('add', '-A');
      git('commit', '-qm', 'dist');
      const committed = readTree(path.join(dir, 'dist'));
      const saved = process.env.CDK8S_OUTDIR;
      try {
        process.env.CDK8S_OUTDIR = 'dist';
        // As the CLI does before it runs the app; a mesh with an error then refuses, and dist/ is as git has it.
        fs.rmSync(path.join(dir, 'dist'), { recursive: true });
        const clusters = threeClusters();
        delete clusters['cluster-b'].network.weave.ipalloc_default_subnet;
        const { mesh } = app({ clusters: clusters as WeaveMeshProps['clusters'] });
        expect(mesh.errors()).not.toEqual([]);
        expect(readTree(path.join(dir, 'dist'))).toEqual(committed);
        expect(execFileSync('git', ['status', '--porcelain'], { cwd: dir, encoding: 'utf8' })).toBe('');
        // A mesh with an outdir of its own: the CLI deleted another folder, and this one is left alone.
        fs.rmSync(path.join(dir, 'dist'), { recursive: true });
        app({ outdir: 'elsewhere' });
        expect(fs.existsSync(path.join(dir, 'dist'))).toBe(false);
      } finally {
        if (saved === undefined) delete process.env.CDK8S_OUTDIR;
        else process.env.CDK8S_OUTDIR = saved;
      }
    }));
});

describe('gitops.pathPrefix: where git has the output folder', () => {
  /** A git repository in a fresh folder, with the app at `appFolder` inside it (created). */
  const inRepository = <T>(appFolder: string, body: (dir: string) => T): T =>
    inFolder((repo) => {
      execFileSync('git', ['init', '-q'], { cwd: repo, stdio: 'pipe' });
      const dir = path.join(repo, appFolder);
      fs.mkdirSync(dir, { recursive: true });
      process.chdir(dir);
      return body(dir);
    });
  const paths = (mesh: WeaveMesh) => {
    const tree = mesh.render();
    return {
      argocd: parse(tree.get('_gitops/argocd/argocd.applicationset.weave-mesh.yaml')!).spec.generators[0].git.directories[0].path,
      flux: parse(tree.get('_gitops/flux/clusters/cluster-a/flux-system.kustomization.weave-mesh.yaml')!).spec.path,
    };
  };

  it("defaults to dist for an app at the repository's top, and refuses the README's old examples/cdk8s-app/dist there", () =>
    inRepository('.', () => {
      expect(paths(app().mesh)).toEqual({ argocd: 'dist/*/kubernetes', flux: './dist/cluster-a/kubernetes' });
      expect(
        app({ gitops: { repoURL: REPO_URL, pathPrefix: 'examples/cdk8s-app/dist' } })
          .mesh.errors()
          .map(formatProblem),
      ).toEqual([
        'error: weave-mesh: gitops.pathPrefix: is examples/cdk8s-app/dist, but the tree is written to dist, which is dist in the git repository (git rev-parse --show-prefix), so Argo CD and Flux would sync folders that synth does not write; set gitops.pathPrefix to dist, or leave it out: the default asks git [gitops-path]',
      ]);
    }));

  it("defaults to the app's folder in the repository for an app in a sub-folder, takes that, and refuses dist (the repository's top dist/)", () =>
    inRepository('apps/mesh', () => {
      expect(paths(app().mesh)).toEqual({ argocd: 'apps/mesh/dist/*/kubernetes', flux: './apps/mesh/dist/cluster-a/kubernetes' });
      expect(app({ gitops: { repoURL: REPO_URL, pathPrefix: 'apps/mesh/dist' } }).mesh.errors()).toEqual([]);
      for (const pathPrefix of ['dist', 'other/apps/mesh/dist']) {
        expect(
          app({ gitops: { repoURL: REPO_URL, pathPrefix } })
            .mesh.errors()
            .map(formatProblem),
        ).toEqual([
          expect.stringMatching(
            new RegExp(
              `^error: weave-mesh: gitops\\.pathPrefix: is ${pathPrefix}, but the tree is written to dist, which is apps/mesh/dist in the git repository .*; set gitops\\.pathPrefix to apps/mesh/dist, or leave it out: the default asks git \\[gitops-path\\]$`,
            ),
          ),
        ]);
      }
      // An App outdir of cdk8s.yaml's output: follows too.
      expect(paths(app({}, 'manifests/out').mesh).argocd).toBe('apps/mesh/manifests/out/*/kubernetes');
    }));
});

// The README's and docs' samples are checked against these files by test/readme.test.ts.
describe('examples/readme-model.ts', () => {
  it('declares a valid mesh of two clusters', () => {
    expect(readmeModel.errors()).toEqual([]);
    expect(readmeModel.clusters.map((chart) => chart.cluster.name)).toEqual(['cluster-a', 'cluster-b']);
  });
});
