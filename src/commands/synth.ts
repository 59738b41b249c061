import { WeaveMesh } from '../../constructs/weave-mesh';
import { workerAddresses } from '../mesh/model';
import { cdk8sRun, CLUSTER_VARIABLE, stdoutNeedsOneCluster, writeObjects } from '../output/cdk8s-cli';
import { compareTrees, readOutputTree } from '../output/compare';
import { damagedClusterFiles } from '../output/plan';
import { renumberingProblems, trackedPasswordFiles } from '../output/synth-warnings';
import { assertReplaceable, writeTreeAtomically } from '../output/write';
import { PHAROS_CONFIG_FILE, SYNCED_FOLDER } from '../output/layout';
import { Command, renderInventory, sourcesOf } from './command';

export const synth: Command = {
  summary: 'render the inventory into the output folder, replacing it as a whole',
  run(options, factory, output) {
    const cdk8s = cdk8sRun();
    const writesTree = cdk8s?.writesTree ?? true;
    if (writesTree) assertReplaceable(options.outdir, options.clusters);
    const rendered = renderInventory(options, factory, output);
    if (!rendered.ok) return 1;
    if (cdk8s) {
      const names = rendered.mesh.clusters.map((chart) => chart.cluster.name);
      const selected = cdk8s.cluster;
      if (selected !== undefined && !names.includes(selected)) {
        output.err(`error: ${CLUSTER_VARIABLE}=${JSON.stringify(selected)} names no cluster of ${options.clusters} (it has ${names.join(', ')}); nothing was written`);
        return 2;
      }
      if (!writesTree && selected === undefined) {
        // cdk8s's habit is cdk8s synth --stdout | kubectl apply -f -: one stream, one cluster.
        output.err(`error: ${stdoutNeedsOneCluster(names, 'cdk8s synth --stdout (or --output)')}; ${options.outdir} was left as it was`);
        return 2;
      }
      writeObjects(cdk8s.objectsOutdir, [rendered.tree], selected);
    }
    for (const problem of trackedPasswordFiles(rendered.mesh.mesh)) options.report.problem(problem);
    if (!writesTree) {
      output.err(`weave-mesh: cdk8s synth with --stdout or --output: rendered the Kubernetes objects of cluster ${cdk8s?.cluster} only; ${options.outdir} was left as it was`);
      return 0;
    }
    // Most runs (pre-commit hooks, CI) change nothing: reading is much cheaper than rewriting the folder.
    const onDisk = readOutputTree(options.outdir);
    for (const problem of damagedClusterFiles(onDisk, options.outdir)) options.report.problem(problem);
    const unchanged = compareTrees(onDisk, rendered.tree).length === 0;
    // An unchanged folder renumbers nothing: skip reading its own output back.
    if (!unchanged) for (const problem of renumberingProblems(onDisk, rendered.tree, (cluster, field) => rendered.mesh.locate(cluster, field))) options.report.problem(problem);
    if (!unchanged) writeTreeAtomically(options.outdir, rendered.tree);
    // The cdk8s CLI swallows the app's standard output and then lists only its own scratch file: under
    // it, the summary goes to standard error, and says where each cluster's files are.
    const say = cdk8s ? output.err : output.out;
    printSummary(rendered.mesh, unchanged ? `${options.outdir} (unchanged)` : options.outdir, say, options.clusters);
    if (cdk8s) {
      say(
        `weave-mesh: per cluster, ${options.outdir}/<cluster>/${SYNCED_FOLDER}/ is what Argo CD or Flux syncs and ${options.outdir}/<cluster>/${PHAROS_CONFIG_FILE} what pharos up -c reads; ` +
          `the file cdk8s lists below holds every cluster's objects in one stream, a scratch copy for listing, never to apply`,
      );
    }
    options.report.set('outdir', options.outdir);
    options.report.set('written', !unchanged);
    options.report.set(
      'clusters',
      rendered.mesh.clusters.map((chart) => ({ cluster: chart.cluster.name, subnet: chart.cluster.subnet, knownPeers: chart.knownPeers, routedSubnets: chart.routedSubnets })),
    );
    return 0;
  },
};

function printSummary(mesh: WeaveMesh, outdir: string, say: (line: string) => void, inventory: string): void {
  const rows = [['cluster', 'subnet', 'workers', 'peers', 'routes']];
  for (const chart of mesh.clusters) {
    rows.push([chart.cluster.name, chart.cluster.subnet, String(workerAddresses(chart.cluster).length), String(chart.knownPeers.length), String(chart.routedSubnets.length)]);
  }
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  const count = mesh.clusters.length;
  // The inventory folder is the usual source and goes unsaid; clusters declared in code are named.
  const from = mesh.declaredIn.code > 0 ? ` from ${sourcesOf(mesh, inventory)}` : '';
  say(`weave-mesh: rendered ${count} ${count === 1 ? 'cluster' : 'clusters'}${from} into ${outdir}`);
  for (const row of rows)
    say(
      `  ${row
        .map((cell, column) => cell.padEnd(widths[column]))
        .join('  ')
        .trimEnd()}`,
    );
}
