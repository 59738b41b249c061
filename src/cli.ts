import * as path from 'path';
import { parseArgs } from 'util';
import { WeaveMesh } from '../constructs/weave-mesh';
import { loadClusterFiles } from './inventory/load';
import { writeSubnet } from './inventory/edit';
import { formatProblem } from './inventory/problem';
import { validateInventory } from './inventory/validate';
import { MeshSpec, workerAddresses } from './mesh/model';
import { compareTrees, formatTreeDiff, readOutputTree } from './output/compare';
import { formatPlan, meshStateOf, planChanges } from './output/plan';
import { OutputTree, renderMesh } from './output/render';
import { assertReplaceable, OutputFolderError, writeTreeAtomically } from './output/write';

/** Builds the construct tree for a validated mesh: main.ts decides what the mesh looks like. */
export type MeshFactory = (mesh: MeshSpec) => WeaveMesh;

/** Where the CLI writes; tests capture it. */
export interface Output {
  out(line: string): void;
  err(line: string): void;
  /** Colour diffs (a terminal that did not ask for NO_COLOR). */
  readonly color?: boolean;
}

const consoleOutput: Output = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  color: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR,
};

interface Options {
  readonly clusters: string;
  readonly outdir: string;
  /** Arguments after the command, such as the cluster of `allocate`. */
  readonly operands: readonly string[];
  readonly json: boolean;
}

interface Command {
  readonly summary: string;
  /** How many operands the command takes after its name. */
  readonly operands?: string;
  run(options: Options, factory: MeshFactory, output: Output): number;
}

const COMMANDS: Record<string, Command> = {
  synth: { summary: 'render the inventory into the output folder, replacing it as a whole', run: synth },
  check: { summary: 'exit 1 with a diff when the output folder is not what synth would render; writes nothing', run: check },
  plan: { summary: 'summarise what synth would change (clusters, routes, peers, subnets), then the diff; --json for machines', run: plan },
  allocate: { summary: 'write the lowest free subnet into the cluster file that has none', operands: '<cluster>', run: allocate },
};

// These change cdk8s's output (key order, names, extra files); a render must not depend on the shell it runs in.
const CDK8S_OUTPUT_VARIABLES = ['CDK8S_DISABLE_SORT', 'CDK8S_LEGACY_HASH', 'CDK8S_RECORD_CONSTRUCT_METADATA'];

function usage(): string {
  const commands = Object.entries(COMMANDS).map(([name, command]) => `  ${`${name} ${command.operands ?? ''}`.padEnd(19)} ${command.summary}`);
  return [
    'usage: npm run <command> -- [operands] [--clusters DIR] [--outdir DIR] [--json]',
    '',
    ...commands,
    '',
    '  --clusters DIR   inventory folder, one Pharos cluster.yml per cluster (default: clusters)',
    '  --outdir DIR     output folder (default: $CDK8S_OUTDIR or dist)',
  ].join('\n');
}

/**
 * Runs `<command> [options]` and returns the process exit code: 0 done, 1 invalid input, a
 * difference found by check, or a failure. Never throws and never prints a stack trace.
 */
export function runCli(argv: readonly string[], factory: MeshFactory, output: Output = consoleOutput): number {
  let parsed: { values: { clusters?: string; outdir?: string; help?: boolean; json?: boolean }; positionals: string[] };
  try {
    parsed = parseArgs({
      args: [...argv],
      options: {
        clusters: { type: 'string' },
        outdir: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        json: { type: 'boolean' },
      },
      strict: true,
      allowPositionals: true,
    });
  } catch (error) {
    output.err(`error: ${(error as Error).message}`);
    output.err(usage());
    return 1;
  }
  if (parsed.values.help) {
    output.out(usage());
    return 0;
  }
  const [name = 'synth', ...operands] = parsed.positionals;
  const command = COMMANDS[name];
  const expected = command?.operands ? 1 : 0;
  if (!command || operands.length !== expected) {
    output.err(
      !command
        ? `error: unknown command ${JSON.stringify(name)}`
        : operands.length > expected
          ? `error: unexpected argument ${JSON.stringify(operands[expected])}`
          : `error: ${name} needs ${command.operands}`,
    );
    output.err(usage());
    return 1;
  }
  const options: Options = {
    clusters: parsed.values.clusters ?? 'clusters',
    outdir: parsed.values.outdir ?? (process.env.CDK8S_OUTDIR || 'dist'),
    operands,
    json: parsed.values.json ?? false,
  };
  for (const variable of CDK8S_OUTPUT_VARIABLES) delete process.env[variable];
  try {
    return command.run(options, factory, output);
  } catch (error) {
    if (error instanceof OutputFolderError) {
      output.err(`error: ${error.message}`);
    } else {
      // Bad input is reported before this point; anything here is a bug or an I/O failure.
      output.err(`weave-mesh: failed: ${(error as Error)?.message ?? String(error)}; ${options.outdir} was left as it was`);
      if (process.env.WEAVE_MESH_DEBUG) output.err(String((error as Error)?.stack));
    }
    return 1;
  }
}

/** Loads, validates and renders the inventory; prints every problem. Undefined when the input is invalid. */
function render(options: Options, factory: MeshFactory, output: Output): { mesh: WeaveMesh; tree: OutputTree } | undefined {
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

function synth(options: Options, factory: MeshFactory, output: Output): number {
  assertReplaceable(options.outdir, options.clusters);
  const rendered = render(options, factory, output);
  if (!rendered) return 1;
  // Most runs (pre-commit hooks, CI) change nothing: reading is much cheaper than rewriting the folder.
  const unchanged = compareTrees(readOutputTree(options.outdir), rendered.tree).length === 0;
  if (!unchanged) writeTreeAtomically(options.outdir, rendered.tree);
  printSummary(rendered.mesh, unchanged ? `${options.outdir} (unchanged)` : options.outdir, output);
  return 0;
}

function check(options: Options, factory: MeshFactory, output: Output): number {
  const rendered = render(options, factory, output);
  if (!rendered) return 1;
  const differences = compareTrees(readOutputTree(options.outdir), rendered.tree);
  if (differences.length === 0) {
    output.out(`weave-mesh: ${options.outdir} is up to date with ${options.clusters}`);
    return 0;
  }
  for (const line of formatTreeDiff(differences, options.outdir, output.color ?? false)) output.out(line);
  const count = differences.length;
  output.err(`weave-mesh: ${options.outdir} is out of date: ${count} ${count === 1 ? 'file differs' : 'files differ'} from what ${options.clusters} renders; run npm run synth and commit the result`);
  return 1;
}

function plan(options: Options, factory: MeshFactory, output: Output): number {
  const rendered = render(options, factory, output);
  if (!rendered) return 1;
  const onDisk = readOutputTree(options.outdir);
  const differences = compareTrees(onDisk, rendered.tree);
  const changes = planChanges(meshStateOf(onDisk), meshStateOf(rendered.tree), differences);
  if (options.json) {
    output.out(JSON.stringify({ ...changes, diff: formatTreeDiff(differences, options.outdir, false).join('\n') }, null, 2));
    return 0;
  }
  output.out(`weave-mesh plan: what npm run synth would change in ${options.outdir}`);
  for (const line of formatPlan(changes)) output.out(line);
  if (differences.length > 0) {
    output.out('');
    for (const line of formatTreeDiff(differences, options.outdir, output.color ?? false)) output.out(line);
  }
  return 0;
}

function allocate(options: Options, _factory: MeshFactory, output: Output): number {
  const [cluster] = options.operands;
  const loaded = loadClusterFiles(options.clusters);
  const file = loaded.files.find((candidate) => candidate.name === cluster);
  if (!file) {
    const known = loaded.files.map((candidate) => candidate.name).join(', ');
    output.err(`error: no cluster ${cluster} in ${options.clusters}${known ? ` (it has ${known})` : ''}`);
    return 1;
  }
  const validated = validateInventory(loaded.files);
  const subnet = validated.suggestedSubnets.get(cluster);
  // Allocation needs a sound mesh to allocate in: anything else wrong must be fixed first.
  const blocking = [...loaded.problems, ...validated.problems].filter((problem) => problem.severity === 'error' && problem.rule !== 'missing-subnet');
  if (blocking.length > 0) {
    for (const problem of blocking) output.err(formatProblem(problem));
    output.err(`weave-mesh: fix the errors above before allocating; nothing was written`);
    return 1;
  }
  if (!subnet) {
    const present = validated.problems.some((problem) => problem.cluster === cluster && problem.rule === 'missing-subnet');
    if (present) {
      output.err(`error: pod_network_cidr has no free subnet left for ${cluster}; nothing was written`);
      return 1;
    }
    output.out(`weave-mesh: ${file.path} already has its subnet; allocation never moves a cluster, nothing was written`);
    return 0;
  }
  const filePath = path.join(options.clusters, path.basename(file.path));
  if (!writeSubnet(filePath, subnet)) {
    output.err(`error: ${file.path} has no network.weave mapping to put ipalloc_default_subnet in; nothing was written`);
    return 1;
  }
  output.out(`weave-mesh: wrote network.weave.ipalloc_default_subnet: ${subnet} into ${file.path}; run npm run synth to render it`);
  return 0;
}

function printSummary(mesh: WeaveMesh, outdir: string, output: Output): void {
  const rows = [['cluster', 'subnet', 'workers', 'peers', 'routes']];
  for (const chart of mesh.clusters) {
    rows.push([
      chart.cluster.name,
      chart.cluster.subnet,
      String(workerAddresses(chart.cluster).length),
      String(chart.knownPeers.length),
      String(chart.routedSubnets.length),
    ]);
  }
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  const count = mesh.clusters.length;
  output.out(`weave-mesh: rendered ${count} ${count === 1 ? 'cluster' : 'clusters'} into ${outdir}`);
  for (const row of rows) output.out(`  ${row.map((cell, column) => cell.padEnd(widths[column])).join('  ').trimEnd()}`);
}
