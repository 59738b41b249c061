import { WeaveMesh } from '../../constructs/weave-mesh';
import { workerAddresses } from '../mesh/model';
import { cdk8sRun, writeObjects } from '../output/cdk8s-cli';
import { compareTrees, readOutputTree } from '../output/compare';
import { recordsOf, renumberingWarnings } from '../output/plan';
import { assertReplaceable, writeTreeAtomically } from '../output/write';
import { Command, Output, renderInventory, sourcesOf } from './command';

export const synth: Command = {
  summary: 'render the inventory into the output folder, replacing it as a whole',
  run(options, factory, output) {
    const cdk8s = cdk8sRun();
    const writesTree = cdk8s?.writesTree ?? true;
    if (writesTree) assertReplaceable(options.outdir, options.clusters);
    const rendered = renderInventory(options, factory, output);
    if (!rendered) return 1;
    if (cdk8s) writeObjects(cdk8s.objectsOutdir, rendered.tree);
    if (!writesTree) {
      output.err(`weave-mesh: cdk8s synth with --stdout or --output: rendered the Kubernetes objects only; ${options.outdir} was left as it was`);
      return 0;
    }
    // Most runs (pre-commit hooks, CI) change nothing: reading is much cheaper than rewriting the folder.
    const onDisk = readOutputTree(options.outdir);
    const unchanged = compareTrees(onDisk, rendered.tree).length === 0;
    // As loud as plan: a running cluster renumbered is an outage, whoever asked for it.
    for (const warning of renumberingWarnings(recordsOf(onDisk), recordsOf(rendered.tree))) options.report.problem({ severity: 'warning', message: warning, rule: 'renumbering' });
    if (!unchanged) writeTreeAtomically(options.outdir, rendered.tree);
    printSummary(rendered.mesh, unchanged ? `${options.outdir} (unchanged)` : options.outdir, output, options.clusters);
    options.report.set('outdir', options.outdir);
    options.report.set('written', !unchanged);
    options.report.set(
      'clusters',
      rendered.mesh.clusters.map((chart) => ({ cluster: chart.cluster.name, subnet: chart.cluster.subnet, knownPeers: chart.knownPeers, routedSubnets: chart.routedSubnets })),
    );
    return 0;
  },
};

function printSummary(mesh: WeaveMesh, outdir: string, output: Output, inventory: string): void {
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
  // The inventory folder is the usual source and goes unsaid; clusters declared in code are named.
  const from = mesh.declaredIn.code > 0 ? ` from ${sourcesOf(mesh, inventory)}` : '';
  output.out(`weave-mesh: rendered ${count} ${count === 1 ? 'cluster' : 'clusters'}${from} into ${outdir}`);
  for (const row of rows) output.out(`  ${row.map((cell, column) => cell.padEnd(widths[column])).join('  ').trimEnd()}`);
}
