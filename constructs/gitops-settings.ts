/** The GitOps tools weave-mesh can render sync manifests for. */
export type GitOpsTool = 'argocd' | 'flux';

/** Where the rendered output lives in git, and who syncs it. Shared by the Argo CD and Flux constructs. */
export interface GitOpsSettings {
  /**
   * URL of the git repository that holds the committed output folder. Required by WeaveMesh when
   * any tool is on.
   * @default - none: WeaveMesh refuses to synthesise sync manifests without it
   */
  readonly repoURL?: string;

  /**
   * Branch that Argo CD and Flux follow.
   * @default 'main'
   */
  readonly revision?: string;

  /**
   * Path of the output folder inside that repository: the output folder itself, or a path ending
   * with it when the app lives in a sub-folder of the repository.
   * @default - the output folder (WeaveMeshProps.outdir), when it lies below the working directory; else 'dist'
   */
  readonly pathPrefix?: string;

  /**
   * Tools to render sync manifests for.
   * @default ['argocd', 'flux']
   */
  readonly tools?: readonly GitOpsTool[];
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
  return resolved;
}
