import { WeaveMesh } from '../../constructs/weave-mesh';
import { Problem } from '../mesh/problem';
import { RULES } from '../mesh/rule-ids';
import { OutputTree } from '../output/tree';
import { Format, Output, Report } from './report';

export type { Format, Output, Report } from './report';

/** Builds the app's mesh from an inventory folder, for an output folder: main.ts decides what the mesh looks like. */
export type MeshFactory = (inventory: string, outdir: string) => WeaveMesh;

export interface Options {
  readonly clusters: string;
  readonly outdir: string;
  /** Arguments after the command, such as the cluster of `allocate`. */
  readonly operands: readonly string[];
  /** How problems and results are reported. */
  readonly format: Format;
  /** Where problems and, for json, results go. */
  readonly report: Report;
  /** The boolean options the command takes (its `flags`) that were given. */
  readonly flags: Readonly<Record<string, boolean>>;
  /** The options with a value the command takes (its `values`) that were given, such as plan's `base`. */
  readonly values: Readonly<Record<string, string>>;
}

/** One subcommand of the command line. */
export interface Command {
  /** One line for the usage text. */
  readonly summary: string;
  /** The operand the command takes after its name, as shown in the usage text, if any. */
  readonly operand?: string;
  /** Formats the command takes besides text, github and json (plan: markdown). */
  readonly extraFormats?: readonly Format[];
  /** Boolean options of this command alone, such as plan's `summary` (`--summary`). */
  readonly flags?: readonly string[];
  /** Options with a value of this command alone, such as plan's `base` (`--base REF`). */
  readonly values?: readonly string[];
  /** Runs the command and returns the exit code, or a promise of it (status waits for kubectl). Bad input is printed, not thrown. */
  run(options: Options, factory: MeshFactory, output: Output): number | Promise<number>;
}

/** A render, or the problems that stopped it. */
export type Rendered = { ok: true; mesh: WeaveMesh; tree: OutputTree } | { ok: false; problems: readonly Problem[] };

/** Builds and renders the mesh, printing every problem. Not ok (with the problems) when the mesh is invalid. */
export function renderInventory(options: Options, factory: MeshFactory, output: Output, notDone = 'nothing was written to'): Rendered {
  const mesh = factory(options.clusters, options.outdir);
  for (const problem of mesh.problems) options.report.problem(problem);
  const errors = mesh.errors().length;
  if (errors > 0) {
    output.err(`weave-mesh: ${errors} ${errors === 1 ? 'error' : 'errors'} in ${errorSources(mesh, options.clusters)}; ${notDone} ${options.outdir}`);
    return { ok: false, problems: mesh.problems };
  }
  return { ok: true, mesh, tree: mesh.render() };
}

/**
 * Where the mesh's errors are, for the summary line: the inventory folder, the clusters declared in
 * code, and the settings (the settings file, such as main.ts, or the mesh's props), in that order.
 */
export function errorSources(mesh: WeaveMesh, inventory: string): string {
  const sources = new Set<string>();
  for (const problem of mesh.errors()) {
    if (problem.rule !== undefined && RULES[problem.rule].stage === 'settings') sources.add(mesh.settingsFile ?? `the settings of ${mesh.node.path}`);
    else if (problem.file === undefined && problem.construct !== undefined) sources.add(`the clusters declared in code (${mesh.node.path})`);
    else sources.add(inventory);
  }
  const [first, ...rest] = [...sources].sort((a, b) => order(a, inventory) - order(b, inventory));
  return rest.length === 0 ? (first ?? inventory) : `${[first, ...rest.slice(0, -1)].join(', ')} and ${rest[rest.length - 1]}`;
}

function order(source: string, inventory: string): number {
  return source === inventory ? 0 : source.startsWith('the clusters declared in code') ? 1 : 2;
}

/**
 * Where the mesh's clusters came from, for a summary line: the inventory folder, the clusters
 * declared in code (named by the mesh's construct path), or both.
 */
export function sourcesOf(mesh: WeaveMesh, inventory: string): string {
  const code = `the clusters declared in code (${mesh.node.path})`;
  if (mesh.declaredIn.code === 0) return inventory;
  return mesh.declaredIn.files === 0 ? code : `${inventory} and ${code}`;
}
