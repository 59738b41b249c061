import * as fs from 'fs';
import { FieldPath, Location } from '../src/mesh/declaration';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import { IConstruct } from 'constructs';
import { MeshSpec } from '../src/mesh/model';
import { formatProblem, Problem } from '../src/mesh/problem';
import { CLUSTER_VARIABLE, DeletedOutdir, deletedOutdirNote, printsToStdout, restoreDeletedOutdir, stdoutNeedsOneCluster, writeObjects } from '../src/output/cdk8s-cli';
import { readOutputTree } from '../src/output/compare';
import { MARKER_FILE, pharosConfigCluster } from '../src/output/layout';
import { damagedClusterFiles } from '../src/output/plan';
import { renumberingProblems, trackedPasswordFiles } from '../src/output/synth-warnings';
import { OutputTree } from '../src/output/tree';
import { OutputFolderError, writeTreeAtomically } from '../src/output/write';

/** What the App's synth needs of a mesh. */
export interface SynthesizableMesh extends IConstruct {
  /** The folder the mesh's tree is written to. */
  readonly outdir: string;
  /** The mesh's clusters, by name. */
  readonly clusters: readonly { readonly cluster: { readonly name: string } }[];
  /** Every error and warning of the mesh, in file and line order. */
  readonly problems: readonly Problem[];
  /** The validated mesh; undefined when it has an error. */
  readonly mesh?: MeshSpec;
  errors(): Problem[];
  render(): OutputTree;
  /** Where a field of a cluster is declared, for warnings about it (see WeaveMesh.locate). */
  locate?(cluster: string, field: FieldPath): Location | undefined;
}

/** A refusal of `app.synth()`: the problem lines, for the user to act on. */
export class MeshSynthError extends Error {
  /** One line per problem, as `npm run synth` prints them. */
  public readonly lines: readonly string[];

  public constructor(lines: readonly string[]) {
    super(`weave-mesh: nothing was written:\n${lines.map((line) => `  ${line}`).join('\n')}`);
    this.name = 'MeshSynthError';
    this.lines = lines;
    // The lines are the message: Node prints an uncaught error's stack, and frames inside weave-mesh help no one.
    this.stack = `${this.name}: ${this.message}`;
  }
}

const MESHES = Symbol.for('weave-mesh.app-synth.meshes');

interface HookedApp extends App {
  [MESHES]?: SynthesizableMesh[];
}

/** The App at the root of `scope`'s tree, if it is one (duck-typed, so a second copy of cdk8s still counts). */
export function appOf(scope: IConstruct): App | undefined {
  const root = scope.node.root as Partial<App>;
  return typeof root.synth === 'function' && typeof root.outdir === 'string' ? (root as App) : undefined;
}

/** Output folders (resolved) that `cdk8s synth` had deleted when a mesh was built, and what became of each. */
const deletedByCdk8s = new Map<string, DeletedOutdir>();

/**
 * Called first thing when a mesh is built: when `cdk8s synth` deleted the folder the mesh writes to
 * (it does so before it runs the app), puts back what git has for it, so that whatever happens next
 * (a refusal, a failure of the app) leaves the committed folder as it was. See restoreDeletedOutdir.
 */
export function restoreOutdirOfCdk8sSynth(outdir: string): void {
  const key = path.resolve(outdir);
  if (deletedByCdk8s.has(key)) return;
  const fate = restoreDeletedOutdir(outdir);
  if (fate) deletedByCdk8s.set(key, fate);
}

/**
 * Makes `app.synth()` (and so `cdk8s synth`, which runs the app with CDK8S_OUTDIR) write the mesh
 * as weave-mesh lays it out: cdk8s 2.x has no synthesizer hook (App.synth writes every Chart as one
 * flat, hash-named file of its outdir), so the App that holds a mesh gets its synth wrapped once:
 * 1. any mesh with an error: refuse with one line per problem (warnings too), write nothing;
 * 2. print the warnings, the same as `npm run synth` gives: the mesh's own, a running cluster
 *    renumbered against what its output folder records, a damaged cluster.yml there, a password file
 *    git tracks;
 * 3. write each mesh's whole tree (cluster.yml, kustomization.yaml, overview, hub) into its outdir;
 * 4. run cdk8s's own synth with the meshes' charts left out, so the app's other charts are written
 *    exactly as cdk8s writes them, beside the tree.
 *
 * A refusal throws MeshSynthError; under the cdk8s CLI (CDK8S_OUTDIR set) it prints its lines on
 * stderr instead and exits 1, so that `cdk8s synth` shows plain lines, not an uncaught error with
 * frames of weave-mesh's code. Warnings go to stderr, which the CLI passes through (it keeps the
 * app's stdout to itself).
 */
export function synthWithApp(mesh: SynthesizableMesh): void {
  const app = appOf(mesh) as HookedApp | undefined;
  if (!app) return;
  const existing = app[MESHES];
  if (existing) {
    existing.push(mesh);
    return;
  }
  const meshes: SynthesizableMesh[] = [mesh];
  app[MESHES] = meshes;
  const synth = app.synth;
  const chartsOf = (): readonly Chart[] => {
    let proto: object | null = Object.getPrototypeOf(app);
    while (proto && !Object.getOwnPropertyDescriptor(proto, 'charts')) proto = Object.getPrototypeOf(proto);
    const getter = proto ? Object.getOwnPropertyDescriptor(proto, 'charts')?.get : undefined;
    return getter ? (getter.call(app) as Chart[]) : app.charts;
  };
  Object.defineProperty(app, 'synth', {
    configurable: true,
    writable: true,
    value: function synthWithMesh(this: App): void {
      try {
        writeMeshes(app, meshes);
      } catch (error) {
        if (error instanceof OutputFolderError) refuse(meshes, [`error: ${error.message}`]);
        if (error instanceof MeshSynthError) refuse(meshes, error.lines);
        throw error;
      }
      const inMesh = (chart: Chart): boolean => meshes.some((each) => chart.node.scopes.includes(each));
      Object.defineProperty(app, 'charts', { configurable: true, get: () => chartsOf().filter((chart) => !inMesh(chart)) });
      try {
        synth.call(app);
      } finally {
        delete (app as { charts?: unknown }).charts;
      }
    },
  });
}

/** Steps 1 to 3 of the wrapped synth; a refusal is thrown as MeshSynthError (or OutputFolderError). */
function writeMeshes(app: App, meshes: readonly SynthesizableMesh[]): void {
  if (meshes.some((each) => each.errors().length > 0)) throw new MeshSynthError(meshes.flatMap((each) => each.problems.map(formatProblem)));
  const folders = new Map<string, string>();
  for (const each of meshes) {
    const folder = path.resolve(each.outdir);
    const other = folders.get(folder);
    if (other) throw new MeshSynthError([`error: ${each.node.path}: writes to ${each.outdir} as ${other} does; give each WeaveMesh its own outdir`]);
    folders.set(folder, each.node.path);
  }
  const trees = meshes.map((each) => ({ mesh: each, outdir: each.outdir, tree: each.render() }));
  const warnings = meshes.flatMap((each) => each.problems.filter((problem) => problem.severity === 'warning'));
  if (printsToStdout()) {
    // cdk8s synth --stdout prints every file of the app's folder: one cluster's synced objects,
    // never the whole tree (every cluster's agent, the teardown and the hub for one kubectl apply).
    const cluster = process.env[CLUSTER_VARIABLE] || undefined;
    const clusters = meshes.flatMap((each) => each.clusters.map((chart) => chart.cluster.name));
    if (cluster === undefined) throw new MeshSynthError([`error: ${stdoutNeedsOneCluster(clusters)}`]);
    if (!clusters.includes(cluster)) throw new MeshSynthError([`error: ${CLUSTER_VARIABLE}=${JSON.stringify(cluster)} names no cluster of the mesh (it has ${clusters.join(', ')})`]);
    printWarnings(warnings);
    // One file, as the repository's own app hands the CLI its objects (see writeObjects).
    writeObjects(
      app.outdir,
      trees.map(({ tree }) => tree),
      cluster,
    );
    return;
  }
  for (const { outdir } of trees) assertOwnFolder(outdir);
  for (const { mesh, outdir, tree } of trees) {
    // What the folder records (under cdk8s synth: as git has it, put back when the mesh was built).
    // Only the cluster.yml files: the folder also holds the app's own charts, of any size.
    const onDisk = readOutputTree(outdir, (file) => pharosConfigCluster(file) !== undefined);
    warnings.push(...damagedClusterFiles(onDisk, outdir), ...renumberingProblems(onDisk, tree, (cluster, field) => mesh.locate?.(cluster, field)), ...trackedPasswordFiles(mesh.mesh));
  }
  printWarnings(warnings);
  for (const { outdir, tree } of trees) writeTreeAtomically(outdir, tree);
}

function printWarnings(warnings: readonly Problem[]): void {
  for (const warning of warnings) process.stderr.write(`${formatProblem(warning)}\n`);
}

/**
 * A refusal: thrown for the caller of `app.synth()`; under the cdk8s CLI, the lines on stderr, what
 * became of the output folder the CLI deleted, and exit 1.
 */
function refuse(meshes: readonly SynthesizableMesh[], lines: readonly string[]): never {
  if (!process.env.CDK8S_OUTDIR) throw new MeshSynthError(lines);
  const notes = meshes.flatMap((each) => {
    const fate = deletedByCdk8s.get(path.resolve(each.outdir));
    return fate ? [deletedOutdirNote(each.outdir, fate)] : [];
  });
  const errors = lines.filter((line) => line.startsWith('error: ')).length;
  const outdirs = [...new Set(meshes.map((each) => each.outdir))].join(', ');
  for (const line of lines) process.stderr.write(`${line}\n`);
  // Under --stdout the app's folder is the CLI's temporary one: what was not done is the printing.
  const notDone = printsToStdout() ? 'nothing was printed' : `nothing was written to ${outdirs}`;
  process.stderr.write(`weave-mesh: ${errors} ${errors === 1 ? 'error' : 'errors'}; ${notDone}${notes.map((note) => `; ${note}`).join('')}\n`);
  process.exit(1);
}

/**
 * The mesh replaces its folder as a whole: refuse one it did not write, unless it holds only what
 * cdk8s itself writes there (`*.k8s.yaml` of an earlier synth without the mesh).
 */
function assertOwnFolder(outdir: string): void {
  if (!fs.existsSync(outdir) || fs.existsSync(path.join(outdir, MARKER_FILE))) return;
  const foreign = fs.readdirSync(outdir).filter((entry) => !entry.endsWith('.k8s.yaml'));
  if (foreign.length > 0) {
    throw new MeshSynthError([
      `error: refusing to replace ${outdir}: it holds ${foreign.slice(0, 3).join(', ')}${foreign.length > 3 ? ', ...' : ''}, which weave-mesh did not write (no ${MARKER_FILE}); give WeaveMesh an outdir of its own, or empty the folder`,
    ]);
  }
}
