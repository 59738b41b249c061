import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parse } from 'yaml';
import { checkoutFromIndex } from '../util/git';
import { SYNCED_FOLDER } from './layout';
import { OutputTree } from './tree';

/**
 * Running under the cdk8s CLI (`cdk8s synth`). The CLI deletes its output folder before it runs the
 * app, and with `--stdout` it synthesises into a temporary folder and prints every `*.yaml` there.
 * So weave-mesh's `cdk8s.yaml` names a scratch folder as `output:`, never the committed tree: the app
 * writes the Kubernetes objects into `CDK8S_OUTDIR` for the CLI, and the tree (with the `flux-system/`
 * folders that must survive) into its own output folder itself, and only on a real synth.
 */
export interface Cdk8sRun {
  /** `CDK8S_OUTDIR`: where the CLI expects the Kubernetes objects. */
  readonly objectsOutdir: string;
  /** True when that is the scratch `output:` of `cdk8s.yaml`: a real synth, not `--stdout` or `--output`. */
  readonly writesTree: boolean;
  /** `WEAVE_MESH_CLUSTER`: the one cluster whose synced objects the CLI gets, when set. */
  readonly cluster?: string;
}

/**
 * Selects the cluster whose objects `cdk8s synth` hands the CLI. Without it, `--stdout` (and `--output`)
 * are refused: each cluster has its own `kube-system/route-config`, and `cdk8s synth --stdout | kubectl
 * apply -f -` would put every cluster's agent (the last one winning) and the teardown on one cluster.
 */
export const CLUSTER_VARIABLE = 'WEAVE_MESH_CLUSTER';

/** How the cdk8s CLI runs this process, or undefined when it does not. */
export function cdk8sRun(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Cdk8sRun | undefined {
  const objectsOutdir = env.CDK8S_OUTDIR;
  if (!objectsOutdir) return undefined;
  let configured: string | undefined;
  try {
    const output = parse(fs.readFileSync(path.join(cwd, 'cdk8s.yaml'), 'utf8'))?.output;
    if (typeof output === 'string') configured = path.resolve(cwd, output);
  } catch {
    configured = undefined;
  }
  const cluster = env[CLUSTER_VARIABLE] || undefined;
  return { objectsOutdir, writesTree: configured !== undefined && configured === path.resolve(cwd, objectsOutdir), ...(cluster !== undefined ? { cluster } : {}) };
}

/**
 * Whether the cdk8s CLI runs this app for `cdk8s synth --stdout`, in a cdk8s user's own app: the CLI
 * then gives it a fresh temporary folder (`cdk8s-XXXXXX` in the system's temporary folder, cdk8s-cli
 * `src/util.ts` mkdtemp) as CDK8S_OUTDIR and prints every `*.yaml` below it. A user's `cdk8s.yaml`
 * names no scratch `output:` the way this repository's does, so the folder's name is what tells.
 */
export function printsToStdout(env: NodeJS.ProcessEnv = process.env): boolean {
  const outdir = env.CDK8S_OUTDIR;
  if (!outdir) return false;
  const resolved = path.resolve(outdir);
  let tmp = os.tmpdir();
  try {
    tmp = fs.realpathSync(tmp);
  } catch {
    // The name as given, then.
  }
  return /^cdk8s-[A-Za-z0-9]{6}$/.test(path.basename(resolved)) && [path.resolve(os.tmpdir()), tmp].includes(path.dirname(resolved));
}

/** Why `cdk8s synth --stdout` (or what `run` names) needs one cluster, and how to name it, for the clusters given. */
export function stdoutNeedsOneCluster(clusters: readonly string[], run = 'cdk8s synth --stdout'): string {
  return (
    `${run} prints one cluster's objects, for one kubectl apply: every cluster has its own kube-system/route-config, and together they would all land on one cluster. ` +
    `Select one: ${CLUSTER_VARIABLE}=<cluster> cdk8s synth --stdout | kubectl --context <cluster> apply -f -, with one of ${clusters.join(', ')}`
  );
}

/**
 * The Kubernetes objects of a tree: the files the cdk8s CLI prints and lists (not kustomization.yaml,
 * the Pharos config or the overview); with a cluster, only what Argo CD or Flux syncs to it
 * (`<cluster>/kubernetes/`): not the hub's objects, not the teardown.
 */
export function kubernetesObjects(tree: OutputTree, cluster?: string): [string, string][] {
  return [...tree.entries()].filter(([file]) => file.endsWith('.yaml') && !file.endsWith('kustomization.yaml') && (cluster === undefined || file.startsWith(`${cluster}/${SYNCED_FOLDER}/`)));
}

/** The one file the app gives the cdk8s CLI. */
export const CDK8S_OBJECTS_FILE = 'weave-mesh.k8s.yaml';

/**
 * Writes the tree's Kubernetes objects into the CLI's folder as one multi-document file. One file,
 * because `cdk8s synth --stdout` pipes each file into its standard output with the default
 * `end: true`: the first file to finish closes the stream and the objects of later files are lost.
 */
export function writeObjects(outdir: string, trees: readonly OutputTree[], cluster?: string): void {
  fs.mkdirSync(outdir, { recursive: true });
  // Opened and closed by a document separator: the CLI prints the files of its folder one after the
  // other as they are (a cdk8s app's own charts too), and a file that ends without one would run into
  // the next file's first document.
  const documents = trees.flatMap((tree) => kubernetesObjects(tree, cluster).map(([, content]) => content));
  fs.writeFileSync(path.join(outdir, CDK8S_OBJECTS_FILE), documents.length === 0 ? '' : `---\n${documents.join('---\n')}---\n`);
}

/**
 * What became of an output folder that `cdk8s synth` deleted: `restored` when git's files for it were
 * put back, `not-in-git` when git has none (no repository, or the folder is not committed).
 */
export type DeletedOutdir = 'restored' | 'not-in-git';

/**
 * `cdk8s synth` deletes its output folder (cdk8s-cli `src/cli/cmds/synth.ts`: `fs.rmSync(outdir,
 * { recursive: true, force: true })`) before it runs the app, with CDK8S_OUTDIR set to it. When the
 * mesh writes to that folder, this puts back at once what git's index has for it (`git checkout --
 * <outdir>`: the committed files, with what is staged), before anything can refuse: a refused synth,
 * or an app that fails later, then leaves the folder as git has it, and a synth that succeeds
 * replaces it as a whole. Undefined when the CLI did not delete the folder: not under `cdk8s synth`,
 * `--stdout` (a temporary folder), a mesh with an outdir of its own, or a folder that exists.
 */
export function restoreDeletedOutdir(outdir: string, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): DeletedOutdir | undefined {
  const deleted = env.CDK8S_OUTDIR;
  if (!deleted || printsToStdout(env)) return undefined;
  if (path.resolve(cwd, deleted) !== path.resolve(cwd, outdir) || fs.existsSync(path.resolve(cwd, outdir))) return undefined;
  return checkoutFromIndex(outdir, cwd) && fs.existsSync(path.resolve(cwd, outdir)) ? 'restored' : 'not-in-git';
}

/** What a refusal under `cdk8s synth` adds about the output folder the CLI had deleted. */
export function deletedOutdirNote(outdir: string, fate: DeletedOutdir): string {
  return fate === 'restored'
    ? `cdk8s synth deletes ${outdir} before it runs the app, so weave-mesh put back what git has for it (git checkout -- ${outdir}): it is as committed`
    : `cdk8s synth deleted ${outdir} before it ran the app, and git has none of its files to put back (commit the output folder)`;
}
