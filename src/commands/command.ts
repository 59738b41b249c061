import { WeaveMesh } from '../../constructs/weave-mesh';
import { formatProblem } from '../mesh/problem';
import { OutputTree } from '../output/tree';

/** Builds the app's mesh from an inventory folder, for an output folder: main.ts decides what the mesh looks like. */
export type MeshFactory = (inventory: string, outdir: string) => WeaveMesh;

/** Where a command writes; tests capture it. */
export interface Output {
  out(line: string): void;
  err(line: string): void;
  /** Colour diffs (a terminal that did not ask for NO_COLOR). */
  readonly color?: boolean;
}

export interface Options {
  readonly clusters: string;
  readonly outdir: string;
  /** Arguments after the command, such as the cluster of `allocate`. */
  readonly operands: readonly string[];
  readonly json: boolean;
}

/** One subcommand of the command line. */
export interface Command {
  /** One line for the usage text. */
  readonly summary: string;
  /** The operand the command takes after its name, as shown in the usage text, if any. */
  readonly operand?: string;
  /** True when the command prints JSON with --json. */
  readonly json?: boolean;
  /** What the command did not do when the inventory is invalid, ending in the output folder: `nothing was written to`. */
  readonly notDone?: string;
  /** Runs the command and returns the exit code. Bad input is printed, not thrown. */
  run(options: Options, factory: MeshFactory, output: Output): number;
}

/** Builds and renders the mesh, printing every problem. Undefined when the mesh is invalid. */
export function renderInventory(options: Options, factory: MeshFactory, output: Output, notDone = 'nothing was written to'): { mesh: WeaveMesh; tree: OutputTree } | undefined {
  const mesh = factory(options.clusters, options.outdir);
  for (const problem of mesh.problems) output.err(formatProblem(problem));
  const errors = mesh.errors().length;
  if (errors > 0) {
    output.err(`weave-mesh: ${errors} ${errors === 1 ? 'error' : 'errors'} in ${options.clusters}; ${notDone} ${options.outdir}`);
    return undefined;
  }
  return { mesh, tree: mesh.render() };
}
