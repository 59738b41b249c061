import * as fs from 'fs';
import * as path from 'path';
import { Construct } from 'constructs';
import { PharosClusterConfig } from '../src/mesh/pharos-cluster-config';
import { ClusterDeclaration, declaredInCode, FieldPath, Inventory, Location } from '../src/mesh/declaration';
import { locateKey } from '../src/util/locate-key';
import { MeshSpec } from '../src/mesh/model';
import { compareProblems, formatProblem, Problem } from '../src/mesh/problem';
import { validateClusters } from '../src/mesh/validate';
import { ARGOCD_FOLDER, fluxFolder, SYNCED_FOLDER, TEARDOWN_FOLDER } from '../src/output/layout';
import { OutputTree } from '../src/output/tree';
import { gitPrefix } from '../src/util/git';
import { appOf, restoreOutdirOfCdk8sSynth, synthWithApp } from './app-synth';
import { ArgoCdApplicationSet } from './argo-cd-application-set';
import { ClusterChart, RouteAgentSettings } from './cluster-chart';
import { FluxSync } from './flux-sync';
import { gitOpsSettingIssues, GitOpsSettings, PLACEHOLDER_REPO_URL, ResolvedGitOpsSettings, resolveGitOpsSettings } from './gitops-settings';
import { resolveNodeAgentSettings } from './node-agent-daemon-set';
import { OutputChart } from './output-chart';
import { renderTree } from './render-tree';
import { nodeAgentSettingIssues } from './route-agent-script';
import { RouteAgentTeardown } from './route-agent-teardown';

export interface WeaveMeshProps {
  /**
   * Clusters declared in code: cluster name -> the cluster's Pharos `cluster.yml`, typed.
   * @default - none
   */
  readonly clusters?: Readonly<Record<string, PharosClusterConfig>>;

  /**
   * Clusters read by a loader, such as `loadInventory('clusters')` for the YAML inventory, with the
   * file positions its problems are reported at, and what it could not read.
   * @default - none
   */
  readonly inventory?: Inventory;

  /**
   * The output folder the tree is written to, relative to the working directory: relative paths in
   * each cluster's Pharos cluster.yml are rebased so that they name the same files from there, and
   * the GitOps paths follow it. `app.synth()` (and so `cdk8s synth`) writes the tree there, beside
   * the app's other charts when it is the app's own output folder. A relative outdir must be what
   * `gitops.pathPrefix` names when both are given (its path in the git repository, which git tells);
   * an absolute one (a preview, a test) is not checked.
   * @default - the outdir of the App that holds the mesh (`dist`, or the `output:` of cdk8s.yaml under `cdk8s synth`)
   */
  readonly outdir?: string;

  /**
   * The subnets the output folder records for running clusters (cluster -> subnet), read from their
   * rendered cluster.yml: a cluster whose subnet went missing gets its recorded one back, and no
   * other cluster is ever given it. `readRecordedSubnets(outdir)` of this package reads them from the
   * output folder, or from git when `cdk8s synth` has emptied it.
   * @default - none
   */
  readonly recordedSubnets?: ReadonlyMap<string, string>;

  /**
   * Route agent settings shared by every cluster.
   * @default - the RouteAgent defaults
   */
  readonly routeAgent?: RouteAgentSettings;

  /**
   * Where the output lives in git and which GitOps tools sync it. `repoURL` is required when any
   * tool is on: without it synth fails rather than point Argo CD and Flux at a placeholder.
   * @default - no default for repoURL; see GitOpsSettings for the rest
   */
  readonly gitops?: GitOpsSettings;

  /**
   * The source file these props are written in, relative to the working directory (this repository's
   * main.ts passes `'main.ts'`): a setting that is wrong (gitops, routeAgent) is then reported at its
   * line there, as inventory problems are, and summaries name that file as the culprit.
   * @default - settings problems are located at the mesh's construct path
   */
  readonly settingsFile?: string;
}

/** Ids of this construct's own children: `_` never starts a cluster name (a DNS-1123 label), so none can collide with a cluster chart. */
const TEARDOWN_ID = '_teardown';
const ARGOCD_ID = '_argocd';
const fluxId = (cluster: string) => `_flux-${cluster}`;
/**
 * The id of a cluster's chart: the cluster's name, except a name a plain JavaScript object already
 * has (`constructor`, a valid DNS-1123 label): the constructs library keeps children in a plain
 * object and would take that name as taken. `_` keeps it apart from every other id.
 */
const clusterId = (cluster: string) => (cluster in {} ? `_cluster-${cluster}` : cluster);

/**
 * The multi-cluster Weave pod network: one ClusterChart per cluster, in name order, the Argo CD /
 * Flux manifests that sync each cluster's folder to that cluster, and the route agent's teardown
 * for a cluster that leaves.
 *
 * Every rule of the mesh and of Pharos is checked here, for clusters from code and from the YAML
 * inventory alike, and reported all at once through cdk8s validation (`app.synth()` fails with one
 * line per problem). A mesh with an error has no charts: nothing is derived from invalid input.
 */
export class WeaveMesh extends Construct {
  /** The validated mesh; undefined when the clusters break a rule. */
  public readonly mesh?: MeshSpec;
  /** One chart per cluster, in name order; empty when the clusters break a rule. */
  public readonly clusters: readonly ClusterChart[];
  /** Every error and warning, in file and line order. */
  public readonly problems: readonly Problem[];
  /** For each cluster without a subnet: its recorded one, else the lowest free one of the mesh's usual size. */
  public readonly suggestedSubnets: ReadonlyMap<string, string>;
  /** How many clusters came from each front-end: files of an inventory, and code; for summaries. */
  public readonly declaredIn: { readonly files: number; readonly code: number };
  /** The folder the tree is written to (see WeaveMeshProps.outdir). */
  public readonly outdir: string;
  /** The subnets the output folder records for running clusters, as given. */
  public readonly recordedSubnets: ReadonlyMap<string, string>;
  /** The source file the settings props are written in, when given (see WeaveMeshProps.settingsFile). */
  public readonly settingsFile?: string;
  private readonly declarations: ReadonlyMap<string, ClusterDeclaration>;

  public constructor(scope: Construct, id: string, props: WeaveMeshProps) {
    super(scope, id);
    this.outdir = props.outdir ?? appOf(this)?.outdir ?? 'dist';
    this.settingsFile = props.settingsFile;
    // Before anything can refuse: cdk8s synth has deleted its output folder; put back what git has.
    restoreOutdirOfCdk8sSynth(this.outdir);
    const outdirInRepo = outputFolderPath(this.outdir);
    // Settings are input too: every wrong one is a located problem, like an inventory's, never a throw.
    const settingIssues = [
      ...gitOpsSettingIssues(props.gitops, outdirInRepo?.path ?? 'dist'),
      ...nodeAgentSettingIssues({ ...resolveNodeAgentSettings(props.routeAgent ?? {}), name: props.routeAgent?.name }).map((issue) => ({ ...issue, field: `routeAgent.${issue.field}` })),
    ];
    const gitops = settingIssues.some((issue) => issue.field.startsWith('gitops.')) ? undefined : resolveGitOpsSettings(props.gitops, outdirInRepo?.path ?? 'dist');
    const declarations = [...(props.inventory?.declarations ?? []), ...Object.entries(props.clusters ?? {}).map(([name, config]) => declaredInCode(name, config, `${this.node.path}/${name}`))];
    this.declarations = new Map([...declarations].reverse().map((declaration) => [declaration.name, declaration]));
    this.declaredIn = { files: props.inventory?.declarations.length ?? 0, code: Object.keys(props.clusters ?? {}).length };
    const validated = validateClusters(declarations, props.recordedSubnets);
    const problems: Problem[] = [...(props.inventory?.problems ?? []), ...validated.problems];
    problems.push(...settingIssues.map((issue): Problem => ({ severity: 'error', ...this.settingAt(issue.field), field: issue.field, rule: 'settings', message: issue.message })));
    // Only a placeholder written out: a repoURL not given at all is the error gitopsProblems reports.
    if (gitops && props.gitops?.repoURL === PLACEHOLDER_REPO_URL && gitops.tools.length > 0) {
      problems.push({
        severity: 'warning',
        ...this.settingAt('gitops.repoURL'),
        field: 'gitops.repoURL',
        rule: 'gitops-placeholder',
        message: `is still the placeholder ${PLACEHOLDER_REPO_URL}, so Argo CD and Flux would clone a repository that is not yours; set ${this.settingName('gitops.repoURL')} to this repository's URL`,
      });
    }
    if (gitops) problems.push(...this.gitopsProblems(props.gitops, gitops, outdirInRepo));
    if (declarations.length === 0 && !problems.some((problem) => problem.severity === 'error')) {
      problems.push({ severity: 'error', ...this.settingAt(), message: 'declares no clusters; give clusters or an inventory', rule: 'clusters' });
    }
    this.problems = problems.sort(compareProblems);
    this.suggestedSubnets = validated.suggestedSubnets;
    this.recordedSubnets = props.recordedSubnets ?? new Map();
    this.node.addValidation({ validate: () => this.errors().map(formatProblem) });
    synthWithApp(this);

    if (this.errors().length > 0 || !validated.mesh) {
      this.clusters = [];
      return;
    }
    const mesh = validated.mesh;
    if (!gitops) throw new Error('internal: settings with an issue passed validation');
    this.mesh = mesh;
    this.clusters = mesh.clusters.map((cluster) => new ClusterChart(this, clusterId(cluster.name), { mesh, cluster, routeAgent: props.routeAgent, outdir: this.outdir }));
    const { name: _agentName, ...teardownSettings } = props.routeAgent ?? {};
    new RouteAgentTeardown(new OutputChart(this, TEARDOWN_ID, { folder: TEARDOWN_FOLDER }), 'RouteAgentTeardown', teardownSettings);
    if (gitops.tools.includes('argocd')) {
      const hub = new OutputChart(this, ARGOCD_ID, { folder: ARGOCD_FOLDER });
      new ArgoCdApplicationSet(hub, 'ApplicationSet', { settings: gitops, syncedFolder: SYNCED_FOLDER });
    }
    if (gitops.tools.includes('flux')) {
      for (const chart of this.clusters) {
        // No kustomization.yaml here: flux bootstrap adds its flux-system/ folder beside these files.
        const hub = new OutputChart(this, fluxId(chart.cluster.name), { folder: fluxFolder(chart.cluster.name), kustomization: false });
        new FluxSync(hub, 'Sync', { settings: gitops, path: `${gitops.pathPrefix}/${chart.folder}` });
      }
    }
  }

  /** Settings given in code that would render sync manifests pointing nowhere. */
  private gitopsProblems(given: GitOpsSettings | undefined, resolved: ResolvedGitOpsSettings, outdirInRepo: OutputFolderPath | undefined): Problem[] {
    const { pathPrefix } = resolved;
    const problems: Problem[] = [];
    if (resolved.tools.length > 0 && given?.repoURL === undefined) {
      problems.push({
        severity: 'error',
        ...this.settingAt('gitops.repoURL'),
        field: 'gitops.repoURL',
        rule: 'gitops-repo-url',
        message: `is not set; give WeaveMesh the gitops prop { repoURL: '<URL of the git repository the output is committed to>' }${this.settingsFile ? ` in ${this.settingsFile}` : ''}, which Argo CD and Flux clone (or gitops.tools: [] for no sync manifests)`,
      });
    }
    if (given?.pathPrefix === undefined || outdirInRepo === undefined || path.isAbsolute(this.outdir)) return problems;
    const { path: folder, fromGit } = outdirInRepo;
    const fix = this.settingsFile !== undefined ? `gitops.pathPrefix in ${this.settingsFile}` : 'gitops.pathPrefix';
    // Git knows where the folder lies in the repository; without git, the folder's own name must end the prefix.
    const names = fromGit ? pathPrefix === folder : pathPrefix === folder || pathPrefix.endsWith(`/${folder}`);
    if (!names) {
      problems.push({
        severity: 'error',
        ...this.settingAt('gitops.pathPrefix'),
        field: 'gitops.pathPrefix',
        rule: 'gitops-path',
        message: fromGit
          ? `is ${pathPrefix}, but the tree is written to ${this.outdir}, which is ${folder} in the git repository (git rev-parse --show-prefix), so Argo CD and Flux would sync folders that synth does not write; set ${fix} to ${folder}, or leave it out: the default asks git`
          : `is ${pathPrefix}, but the tree is written to ${folder}, so Argo CD and Flux would sync folders that synth does not write; set ${fix} to ${folder} (or <folder of the app in the repository>/${folder}), or leave it out`,
      });
    }
    return problems;
  }

  /**
   * Where a setting (such as `gitops.pathPrefix`) is written: its line in the settings file when one
   * is given (the nearest enclosing key written there, or the file), else the mesh's construct path.
   */
  private settingAt(field?: string): Location {
    if (this.settingsFile === undefined) return { construct: this.node.path };
    let text: string | undefined;
    try {
      text = fs.readFileSync(this.settingsFile, 'utf8');
    } catch {
      text = undefined;
    }
    const at = text !== undefined && field !== undefined ? locateKey(text, field.split('.')) : undefined;
    return { file: this.settingsFile, ...at };
  }

  /** How a fix names a setting: `gitops.pathPrefix in main.ts`, or the prop of WeaveMesh. */
  private settingName(field: string): string {
    return this.settingsFile !== undefined ? `${field} in ${this.settingsFile}` : `the ${field} prop of WeaveMesh`;
  }

  /**
   * Where a field of a cluster is declared: file, line and column in its inventory file (or its
   * nearest parent there), or the construct path of a cluster declared in code; undefined for a
   * cluster the mesh does not declare.
   */
  public locate(cluster: string, field: FieldPath): Location | undefined {
    const declaration = this.declarations.get(cluster);
    if (!declaration) return undefined;
    const { file, line, column, construct } = declaration.locate(field);
    return file !== undefined ? { file, line, column } : { construct };
  }

  /** The errors among the problems: any of them stops the render. */
  public errors(): Problem[] {
    return this.problems.filter((problem) => problem.severity === 'error');
  }

  /**
   * The whole output folder as files: path -> content. Throws when the mesh is invalid (check
   * `errors()` first to report them).
   */
  public render(): OutputTree {
    const errors = this.errors();
    if (errors.length > 0) throw new Error(`the mesh is invalid: ${errors.map(formatProblem).join('; ')}`);
    const { files, code } = this.declaredIn;
    return renderTree(this, this.clusters, code === 0 ? 'inventory' : files === 0 ? 'code' : 'both');
  }
}

/** Where the output folder lies for Argo CD and Flux, which read the repository. */
interface OutputFolderPath {
  /** A relative POSIX path, such as `dist` or `apps/network/dist`. */
  readonly path: string;
  /** True when git gave the working directory's place in the repository, so `path` is from the repository's top. */
  readonly fromGit: boolean;
}

/**
 * `outdir` as a path in the git repository of the working directory (`git rev-parse --show-prefix`,
 * then the folder): right for an app at the repository's top and in a sub-folder alike. Without git,
 * the folder below the working directory. Undefined when the folder lies outside the repository (or,
 * without git, outside the working directory).
 */
function outputFolderPath(outdir: string): OutputFolderPath | undefined {
  const cwd = process.cwd();
  const relative = path.relative(cwd, path.resolve(outdir));
  if (path.isAbsolute(relative)) return undefined;
  const below = relative.split(path.sep).join('/');
  const prefix = gitPrefix(cwd);
  if (prefix !== undefined) {
    const inRepository = path.posix.normalize(`${prefix}${below}`).replace(/\/$/, '');
    if (inRepository === '' || inRepository === '.' || inRepository === '..' || inRepository.startsWith('../')) return undefined;
    return { path: inRepository, fromGit: true };
  }
  if (below === '' || below === '..' || below.startsWith('../')) return undefined;
  return { path: below, fromGit: false };
}
