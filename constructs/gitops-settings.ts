import { SettingIssue } from '../src/mesh/problem';

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

/** Applies the defaults and refuses settings that would render broken manifests (the first thing wrong, thrown). */
export function resolveGitOpsSettings(settings: GitOpsSettings = {}, defaultPathPrefix = 'dist'): ResolvedGitOpsSettings {
  const [issue] = gitOpsSettingIssues(settings, defaultPathPrefix);
  if (issue) throw new Error(`${issue.field}: ${issue.message}`);
  return withDefaults(settings, defaultPathPrefix);
}

function withDefaults(settings: GitOpsSettings, defaultPathPrefix: string): ResolvedGitOpsSettings {
  return {
    repoURL: settings.repoURL ?? PLACEHOLDER_REPO_URL,
    revision: settings.revision ?? 'main',
    pathPrefix: normalisedPrefix(settings.pathPrefix ?? defaultPathPrefix),
    tools: settings.tools ?? ['argocd', 'flux'],
    fluxApi: settings.fluxApi ?? 'v1beta2',
  };
}

/** `./dist/` as `dist`; anything but text (from JavaScript) is left for gitOpsSettingIssues to name. */
function normalisedPrefix(prefix: string): string {
  return typeof prefix === 'string' ? prefix.replace(/^\.\//, '').replace(/\/+$/, '') : prefix;
}

/**
 * Everything wrong with the settings, at once, each named by its field (`gitops.revision`): WeaveMesh
 * reports these as located problems; resolveGitOpsSettings throws the first.
 */
export function gitOpsSettingIssues(settings: GitOpsSettings = {}, defaultPathPrefix = 'dist'): SettingIssue[] {
  const resolved = withDefaults(settings, defaultPathPrefix);
  const issues: SettingIssue[] = [];
  const issue = (field: keyof GitOpsSettings, message: string) => issues.push({ field: `gitops.${field}`, message });
  const text = (value: unknown) => typeof value === 'string';
  if (!text(resolved.repoURL) || !/^(https?|ssh):\/\/\S+$|^[\w.-]+@[\w.-]+:\S+$/.test(resolved.repoURL)) {
    issue('repoURL', `${JSON.stringify(resolved.repoURL)} is not a git URL (https://, ssh:// or user@host:path)`);
  } else if (Array.isArray(resolved.tools) && resolved.tools.includes('flux') && !/^(https?|ssh):\/\//.test(resolved.repoURL)) {
    // Flux's GitRepository (v1beta1 and v1 alike) takes only URLs with a scheme: pattern ^(http|https|ssh)://
    issue('repoURL', `${JSON.stringify(resolved.repoURL)}: Flux takes only http://, https:// or ssh:// URLs; write ssh://user@host/path`);
  }
  if (!text(resolved.revision) || !/^[\w][\w./-]*$/.test(resolved.revision) || resolved.revision.includes('..')) {
    issue('revision', `${JSON.stringify(resolved.revision)} is not a branch name`);
  }
  if (!text(resolved.pathPrefix) || resolved.pathPrefix === '' || !/^[\w.-]+(\/[\w.-]+)*$/.test(resolved.pathPrefix) || resolved.pathPrefix.split('/').includes('..')) {
    issue('pathPrefix', `${JSON.stringify(settings.pathPrefix)} must be a relative path inside the repository, such as dist`);
  }
  if (!Array.isArray(resolved.tools)) {
    issue('tools', `${JSON.stringify(resolved.tools)} is not a list; use ['argocd'], ['flux'], both, or []`);
  } else {
    for (const tool of resolved.tools) {
      if (tool !== 'argocd' && tool !== 'flux') issue('tools', `unknown tool ${JSON.stringify(tool)}; use argocd and/or flux`);
    }
  }
  if (!FLUX_APIS.includes(resolved.fluxApi)) {
    issue('fluxApi', `unknown Flux API generation ${JSON.stringify(resolved.fluxApi)}; use ${FLUX_APIS.map((api) => `'${api}'`).join(' or ')}`);
  }
  return issues;
}
