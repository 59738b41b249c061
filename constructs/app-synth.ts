import * as fs from 'fs';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import { IConstruct } from 'constructs';
import { formatProblem, Problem } from '../src/mesh/problem';
import { CLUSTER_VARIABLE, printsToStdout, stdoutNeedsOneCluster, writeObjects } from '../src/output/cdk8s-cli';
import { MARKER_FILE } from '../src/output/layout';
import { OutputTree } from '../src/output/tree';
import { writeTreeAtomically } from '../src/output/write';

/** What the App's synth needs of a mesh. */
export interface SynthesizableMesh extends IConstruct {
  /** The folder the mesh's tree is written to. */
  readonly outdir: string;
  /** The mesh's clusters, by name. */
  readonly clusters: readonly { readonly cluster: { readonly name: string } }[];
  errors(): Problem[];
  render(): OutputTree;
}

/** A refusal of `app.synth()`: the problem lines, for the user to act on. */
export class MeshSynthError extends Error {
  public constructor(lines: readonly string[]) {
    super(`weave-mesh: nothing was written:\n${lines.map((line) => `  ${line}`).join('\n')}`);
    this.name = 'MeshSynthError';
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

/**
 * Makes `app.synth()` (and so `cdk8s synth`, which runs the app with CDK8S_OUTDIR) write the mesh
 * as weave-mesh lays it out: cdk8s 2.x has no synthesizer hook (App.synth writes every Chart as one
 * flat, hash-named file of its outdir), so the App that holds a mesh gets its synth wrapped once:
 * 1. any mesh with an error: throw with one line per problem, write nothing;
 * 2. write each mesh's whole tree (cluster.yml, kustomization.yaml, overview, hub) into its outdir;
 * 3. run cdk8s's own synth with the meshes' charts left out, so the app's other charts are written
 *    exactly as cdk8s writes them, beside the tree.
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
      const errors = meshes.flatMap((each) => each.errors());
      if (errors.length > 0) throw new MeshSynthError(errors.map(formatProblem));
      const folders = new Map<string, string>();
      for (const each of meshes) {
        const folder = path.resolve(each.outdir);
        const other = folders.get(folder);
        if (other) throw new MeshSynthError([`error: ${each.node.path}: writes to ${each.outdir} as ${other} does; give each WeaveMesh its own outdir`]);
        folders.set(folder, each.node.path);
      }
      const trees = meshes.map((each) => ({ outdir: each.outdir, tree: each.render() }));
      if (printsToStdout()) {
        // cdk8s synth --stdout prints every file of the app's folder: one cluster's synced objects,
        // never the whole tree (every cluster's agent, the teardown and the hub for one kubectl apply).
        const cluster = process.env[CLUSTER_VARIABLE] || undefined;
        const clusters = meshes.flatMap((each) => each.clusters.map((chart) => chart.cluster.name));
        if (cluster === undefined) throw new MeshSynthError([`error: ${stdoutNeedsOneCluster(clusters)}`]);
        if (!clusters.includes(cluster)) throw new MeshSynthError([`error: ${CLUSTER_VARIABLE}=${JSON.stringify(cluster)} names no cluster of the mesh (it has ${clusters.join(', ')})`]);
        // One file, as the repository's own app hands the CLI its objects (see writeObjects).
        writeObjects(app.outdir, trees.map(({ tree }) => tree), cluster);
      } else {
        for (const { outdir } of trees) assertOwnFolder(outdir);
        for (const { outdir, tree } of trees) writeTreeAtomically(outdir, tree);
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
