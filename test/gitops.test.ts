// Needs: kubectl
import * as path from 'path';
import { App } from 'cdk8s';
import { parse, parseAllDocuments } from 'yaml';
import { WeaveMesh } from '../constructs/weave-mesh';
import { GitOpsSettings, resolveGitOpsSettings } from '../constructs/gitops-settings';
import { loadInventory } from '../src/inventory/load';
import { writeTree } from '../src/output/write';
import { kustomize, tempDir, threeClusters, writeInventory } from './helpers';

const root = tempDir();
const inventory = writeInventory(path.join(root, 'clusters'), threeClusters());
const loaded = loadInventory(inventory);

function render(gitops?: GitOpsSettings) {
  return new WeaveMesh(new App(), 'mesh', { inventory: loaded, outdir: gitops?.pathPrefix, gitops: { repoURL: 'https://github.com/example-org/weave-mesh.git', ...gitops } }).render();
}

describe('Argo CD', () => {
  const tree = render({ repoURL: 'https://git.example.org/platform/fleet.git', revision: 'production', pathPrefix: 'deploy/weave-mesh' });
  const applicationSet = parse(tree.get('_gitops/argocd/argocd.applicationset.weave-mesh.yaml')!);

  it('renders one ApplicationSet with a git directory generator over the cluster folders', () => {
    expect(applicationSet.apiVersion).toBe('argoproj.io/v1alpha1');
    expect(applicationSet.metadata).toEqual({ name: 'weave-mesh', namespace: 'argocd' });
    expect(applicationSet.spec.generators).toEqual([{ git: { repoURL: 'https://git.example.org/platform/fleet.git', revision: 'production', directories: [{ path: 'deploy/weave-mesh/*/kubernetes' }] } }]);
    expect(applicationSet.spec.goTemplate).toBe(true);
    expect(applicationSet.spec.goTemplateOptions).toEqual(['missingkey=error']);
  });

  it('deploys each folder to the cluster of the same name, taking the path segment after the prefix', () => {
    const template = applicationSet.spec.template;
    expect(template.metadata.name).toBe('weave-mesh-{{ index .path.segments 2 }}');
    expect(template.spec.destination).toEqual({ name: '{{ index .path.segments 2 }}', namespace: 'kube-system' });
    expect(template.spec.source).toEqual({ repoURL: 'https://git.example.org/platform/fleet.git', targetRevision: 'production', path: '{{ .path.path }}' });
  });

  it('syncs automatically with prune and self-heal, never an empty folder, and never cascades a deleted folder', () => {
    expect(applicationSet.spec.template.spec.syncPolicy).toEqual({ automated: { prune: true, selfHeal: true, allowEmpty: false } });
    expect(applicationSet.spec.syncPolicy).toEqual({ preserveResourcesOnDeletion: true });
  });

  it('builds with kubectl kustomize, as `kubectl apply -k` on the Argo CD cluster would', () => {
    const dir = path.join(root, 'argocd-out');
    writeTree(dir, tree);
    const built = parseAllDocuments(kustomize(path.join(dir, '_gitops', 'argocd'))).map((d) => d.toJS());
    expect(built.map((object) => object.kind)).toEqual(['ApplicationSet']);
  });
});

describe('Flux', () => {
  const tree = render({ revision: 'main', pathPrefix: 'dist' });

  it('renders a GitRepository and a Kustomization per cluster in a flux bootstrap folder', () => {
    for (const cluster of ['cluster-a', 'cluster-b', 'cluster-c']) {
      const folder = `_gitops/flux/clusters/${cluster}`;
      const source = parse(tree.get(`${folder}/flux-system.gitrepository.weave-mesh.yaml`)!);
      const sync = parse(tree.get(`${folder}/flux-system.kustomization.weave-mesh.yaml`)!);
      // What Flux v0.25.3, the newest Flux for Kubernetes 1.18, serves: GitRepository v1beta1, Kustomization v1beta2.
      expect(source).toEqual({
        apiVersion: 'source.toolkit.fluxcd.io/v1beta1',
        kind: 'GitRepository',
        metadata: { name: 'weave-mesh', namespace: 'flux-system' },
        spec: { interval: '5m', url: 'https://github.com/example-org/weave-mesh.git', ref: { branch: 'main' } },
      });
      expect(sync.apiVersion).toBe('kustomize.toolkit.fluxcd.io/v1beta2');
      expect(sync.spec).toEqual({
        interval: '10m',
        retryInterval: '1m',
        timeout: '5m',
        sourceRef: { kind: 'GitRepository', name: 'weave-mesh' },
        path: `./dist/${cluster}/kubernetes`,
        prune: true,
        wait: true,
      });
      // Flux bootstrap adds flux-system/ here; a kustomization.yaml would hide it from Flux.
      expect(tree.has(`${folder}/kustomization.yaml`)).toBe(false);
    }
  });

  it('renders the v1 APIs of Flux 2 when gitops.fluxApi is v1, with the same fields', () => {
    const v1 = render({ fluxApi: 'v1' });
    const folder = '_gitops/flux/clusters/cluster-a';
    const source = parse(v1.get(`${folder}/flux-system.gitrepository.weave-mesh.yaml`)!);
    const sync = parse(v1.get(`${folder}/flux-system.kustomization.weave-mesh.yaml`)!);
    expect([source.apiVersion, sync.apiVersion]).toEqual(['source.toolkit.fluxcd.io/v1', 'kustomize.toolkit.fluxcd.io/v1']);
    expect(sync.spec).toEqual(parse(tree.get(`${folder}/flux-system.kustomization.weave-mesh.yaml`)!).spec);
    expect(source.spec).toEqual(parse(tree.get(`${folder}/flux-system.gitrepository.weave-mesh.yaml`)!).spec);
  });
});

describe('GitOps settings', () => {
  it('render only the tools asked for', () => {
    const argoOnly = [...render({ tools: ['argocd'] }).keys()];
    expect(argoOnly.some((file) => file.startsWith('_gitops/flux/'))).toBe(false);
    expect(argoOnly).toContain('_gitops/argocd/argocd.applicationset.weave-mesh.yaml');
    const fluxOnly = [...render({ tools: ['flux'] }).keys()];
    expect(fluxOnly.some((file) => file.startsWith('_gitops/argocd/'))).toBe(false);
  });

  it('have defaults', () => {
    expect(resolveGitOpsSettings()).toEqual({
      repoURL: 'https://github.com/example-org/weave-mesh.git',
      revision: 'main',
      pathPrefix: 'dist',
      tools: ['argocd', 'flux'],
      fluxApi: 'v1beta2',
    });
    expect(resolveGitOpsSettings({ pathPrefix: './out/' }).pathPrefix).toBe('out');
  });

  it.each([
    [{ repoURL: 'not a url' }, /gitops\.repoURL: "not a url" is not a git URL/],
    [{ revision: 'main branch' }, /gitops\.revision: "main branch" is not a branch name/],
    [{ pathPrefix: '../outside' }, /gitops\.pathPrefix: "\.\.\/outside" must be a relative path inside the repository/],
    [{ pathPrefix: '/abs' }, /gitops\.pathPrefix: "\/abs" must be a relative path/],
    [{ tools: ['helm'] }, /gitops\.tools: unknown tool "helm"/],
    [{ fluxApi: 'v2' }, /gitops\.fluxApi: unknown Flux API generation "v2"; use 'v1beta2' or 'v1'/],
    // Flux's GitRepository URL pattern is ^(http|https|ssh)://; Argo CD alone takes the scp form.
    [{ repoURL: 'git@github.com:org/fleet.git' }, /gitops\.repoURL: "git@github\.com:org\/fleet\.git": Flux takes only http:\/\/, https:\/\/ or ssh:\/\/ URLs/],
  ])('refuse %j', (settings, message) => {
    expect(() => resolveGitOpsSettings(settings as GitOpsSettings)).toThrow(message);
  });

  it('take the scp form of a git URL when only Argo CD syncs', () => {
    expect(resolveGitOpsSettings({ repoURL: 'git@github.com:org/fleet.git', tools: ['argocd'] }).repoURL).toBe('git@github.com:org/fleet.git');
  });
});
