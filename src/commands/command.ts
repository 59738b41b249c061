import { WeaveMesh } from '../../constructs/weave-mesh';
import { loadClusterFiles } from '../inventory/load';
import { formatProblem } from '../inventory/problem';
import { validateInventory } from '../inventory/validate';
import { MeshSpec } from '../mesh/model';
import { OutputTree, renderMesh } from '../output/render';

/** Builds the construct tree for a validated mesh: main.ts decides what the mesh looks like. */
export type MeshFactory = (mesh: MeshSpec) => WeaveMesh;

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
  /** Runs the command and returns the exit code. Bad input is printed, not thrown. */
  run(options: Options, factory: MeshFactory, output: Output): number;
}

/** Loads, validates and renders the inventory, printing every problem. Undefined when the input is invalid. */
export function renderInventory(options: Options, factory: MeshFactory, output: Output): { mesh: WeaveMesh; tree: OutputTree } | undefined {
  const loaded = loadClusterFiles(options.clusters);
  const validated = validateInventory(loaded.files);
  const problems = [...loaded.problems, ...validated.problems];
  for (const problem of problems) output.err(formatProblem(problem));
  if (!validated.mesh || loaded.problems.length > 0) {
    const errors = problems.filter((problem) => problem.severity === 'error').length;
    output.err(`weave-mesh: ${errors} ${errors === 1 ? 'error' : 'errors'} in ${options.clusters}; nothing was written to ${options.outdir}`);
    return undefined;
  }
  const mesh = factory(validated.mesh);
  return { mesh, tree: renderMesh(mesh) };
}
