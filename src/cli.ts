import { parseArgs } from 'util';
import { WeaveMesh } from '../constructs/weave-mesh';
import { loadClusterFiles } from './inventory/load';
import { formatProblem } from './inventory/problem';
import { validateInventory } from './inventory/validate';
import { MeshSpec, workerAddresses } from './mesh/model';
import { renderMesh } from './output/render';
import { writeTreeAtomically } from './output/write';

/** Builds the construct tree for a validated mesh: main.ts decides what the mesh looks like. */
export type MeshFactory = (mesh: MeshSpec) => WeaveMesh;

/** Where the CLI writes; tests capture it. */
export interface Output {
  out(line: string): void;
  err(line: string): void;
}

const consoleOutput: Output = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

// These change cdk8s's output (key order, names, extra files); a render must not depend on the shell it runs in.
const CDK8S_OUTPUT_VARIABLES = ['CDK8S_DISABLE_SORT', 'CDK8S_LEGACY_HASH', 'CDK8S_RECORD_CONSTRUCT_METADATA'];

const USAGE = `usage: npm run synth -- [--clusters DIR] [--outdir DIR]

Renders clusters/*.yml into one directory per cluster in the output folder.
  --clusters DIR   inventory folder, one Pharos cluster.yml per cluster (default: clusters)
  --outdir DIR     output folder, replaced as a whole (default: $CDK8S_OUTDIR or dist)`;

/** Runs `synth` and returns the process exit code: 0 rendered, 1 invalid input or failure. */
export function runSynth(argv: readonly string[], factory: MeshFactory, output: Output = consoleOutput): number {
  let options: { clusters: string; outdir: string; help: boolean };
  try {
    const { values } = parseArgs({
      args: [...argv],
      options: {
        clusters: { type: 'string', default: 'clusters' },
        outdir: { type: 'string', default: process.env.CDK8S_OUTDIR || 'dist' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    });
    options = values as typeof options;
  } catch (error) {
    output.err(`error: ${(error as Error).message}`);
    output.err(USAGE);
    return 1;
  }
  if (options.help) {
    output.out(USAGE);
    return 0;
  }

  for (const name of CDK8S_OUTPUT_VARIABLES) delete process.env[name];

  try {
    const loaded = loadClusterFiles(options.clusters);
    const validated = validateInventory(loaded.files);
    const problems = [...loaded.problems, ...validated.problems];
    for (const problem of problems) output.err(formatProblem(problem));
    if (!validated.mesh || loaded.problems.length > 0) {
      const errors = problems.filter((problem) => problem.severity === 'error').length;
      output.err(`weave-mesh: ${errors} ${errors === 1 ? 'error' : 'errors'} in ${options.clusters}; nothing was written to ${options.outdir}`);
      return 1;
    }
    const mesh = factory(validated.mesh);
    writeTreeAtomically(options.outdir, renderMesh(mesh));
    printSummary(mesh, options.outdir, output);
    return 0;
  } catch (error) {
    // Bad input is reported above; anything that lands here is a bug or an I/O failure, shown without a stack trace.
    output.err(`weave-mesh: failed: ${(error as Error)?.message ?? String(error)}; ${options.outdir} was left as it was`);
    if (process.env.WEAVE_MESH_DEBUG) output.err(String((error as Error)?.stack));
    return 1;
  }
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
