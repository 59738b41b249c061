/** The GitOps tools weave-mesh can render sync manifests for. */
export type GitOpsTool = 'argocd' | 'flux';

/**
 * The API generation of the Flux objects (GitRepository and Kustomization) rendered per cluster:
 * - `v1beta2`: GitRepository `source.toolkit.fluxcd.io/v1beta1` and Kustomization
 *   `kustomize.toolkit.fluxcd.io/v1beta2`, served by Flux v0.18.0 to v0.25.3, the only Flux that
 *   installs on Kubernetes 1.18 (Pharos 3.2.x); early Flux 2.x releases still serve them, deprecated.
 * - `v1`: both `.../v1`, served from Flux v2.0.0 on (Kubernetes 1.24 and later); for a Flux that
 *   does not run on a Pharos cluster (a hub with `spec.kubeConfig`, or clusters that are not Pharos').
 */
export type FluxApi = 'v1beta2' | 'v1';

/** The Flux API generations weave-mesh renders. */
export const FLUX_APIS: readonly FluxApi[] = ['v1beta2', 'v1'];

/** Where the rendered output lives in git, and who syncs it. Shared by the Argo CD and Flux constructs. */
export interface GitOpsSettings {
  /**
   * URL of the git repository that holds the committed output folder. Required by WeaveMesh when
   * any tool is on. Flux takes only `https://`, `http://` or `ssh://` URLs (write
   * `ssh://git@host/org/repo.git`, not `git@host:org/repo.git`).
   * @default - none: WeaveMesh refuses to synthesise sync manifests without it
   */
  readonly repoURL?: string;

  /**
   * Branch that Argo CD and Flux follow.
   * @default 'main'
   */
  readonly revision?: string;

  /**
   * Path of the output folder inside that repository, from its top: what Argo CD's git generator and
   * Flux's Kustomization read. WeaveMesh refuses a prefix that does not name the folder the tree is
   * written to (with git: exactly its path in the repository).
   * @default - the output folder's path in the git repository of the working directory (`git rev-parse --show-prefix`, then WeaveMeshProps.outdir): `dist` for an app at the repository's top, `apps/network/dist` for one in apps/network/; without git, the output folder when it lies below the working directory; else 'dist'
   */
  readonly pathPrefix?: string;

  /**
   * Tools to render sync manifests for.
   * @default ['argocd', 'flux']
   */
  readonly tools?: readonly GitOpsTool[];

  /**
   * API generation of the Flux objects: `v1beta2` installs on every Flux that runs on Pharos'
   * Kubernetes 1.18 (Flux v0.18.0 to v0.25.3); `v1` needs Flux v2.0.0 or later, so Kubernetes 1.24+.
   * @default 'v1beta2'
   */
  readonly fluxApi?: FluxApi;
}

export type ResolvedGitOpsSettings = Required<GitOpsSettings>;

/** The repository URL weave-mesh ships with: a placeholder no one can sync from. */
export const PLACEHOLDER_REPO_URL = 'https://github.com/example-org/weave-mesh.git';

/** Applies the defaults and refuses settings that would render broken manifests. */
export function resolveGitOpsSettings(settings: GitOpsSettings = {}, defaultPathPrefix = 'dist'): ResolvedGitOpsSettings {
  const resolved: ResolvedGitOpsSettings = {
    repoURL: settings.repoURL ?? PLACEHOLDER_REPO_URL,
    revision: settings.revision ?? 'main',
    pathPrefix: (settings.pathPrefix ?? defaultPathPrefix).replace(/^\.\//, '').replace(/\/+$/, ''),
    tools: settings.tools ?? ['argocd', 'flux'],
    fluxApi: settings.fluxApi ?? 'v1beta2',
  };
  if (!/^(https?|ssh):\/\/\S+$|^[\w.-]+@[\w.-]+:\S+$/.test(resolved.repoURL)) {
    throw new Error(`gitops.repoURL ${JSON.stringify(resolved.repoURL)} is not a git URL (https://, ssh:// or user@host:path)`);
  }
  if (!/^[\w][\w./-]*$/.test(resolved.revision) || resolved.revision.includes('..')) {
    throw new Error(`gitops.revision ${JSON.stringify(resolved.revision)} is not a branch name`);
  }
  if (resolved.pathPrefix === '' || !/^[\w.-]+(\/[\w.-]+)*$/.test(resolved.pathPrefix) || resolved.pathPrefix.split('/').includes('..')) {
    throw new Error(`gitops.pathPrefix ${JSON.stringify(settings.pathPrefix)} must be a relative path inside the repository, such as dist`);
  }
  for (const tool of resolved.tools) {
    if (tool !== 'argocd' && tool !== 'flux') throw new Error(`gitops.tools: unknown tool ${JSON.stringify(tool)}; use argocd and/or flux`);
  }
  if (!FLUX_APIS.includes(resolved.fluxApi)) {
    throw new Error(`gitops.fluxApi: unknown Flux API generation ${JSON.stringify(resolved.fluxApi)}; use ${FLUX_APIS.map((api) => `'${api}'`).join(' or ')}`);
  }
  // Flux's GitRepository (v1beta1 and v1 alike) takes only URLs with a scheme: pattern ^(http|https|ssh)://
  if (resolved.tools.includes('flux') && !/^(https?|ssh):\/\//.test(resolved.repoURL)) {
    throw new Error(`gitops.repoURL ${JSON.stringify(resolved.repoURL)}: Flux takes only http://, https:// or ssh:// URLs; write ssh://user@host/path`);
  }
  return resolved;
}
