import * as path from 'path';
import { writeSubnet } from '../inventory/edit';
import { loadInventory } from '../inventory/load';
import { readOutputTree } from '../output/compare';
import { pharosConfigCluster } from '../output/layout';
import { damagedClusterFiles } from '../output/plan';
import { Command } from './command';

export const allocate: Command = {
  summary: 'write the lowest free subnet into the cluster file that has none',
  operand: '<cluster>',
  run(options, factory, output) {
    const [cluster] = options.operands;
    const { declarations, problems } = loadInventory(options.clusters);
    const file = declarations.find((candidate) => candidate.name === cluster);
    if (!file) {
      // A file that could not be read (a link, a merge conflict) is why a cluster may be missing: show it.
      for (const problem of problems) options.report.problem(problem);
      const known = declarations.map((candidate) => candidate.name).join(', ');
      options.report.problem({ severity: 'error', message: `no cluster ${cluster} in ${options.clusters}${known ? ` (it has ${known})` : ''}`, rule: 'allocate' });
      return 1;
    }
    // The same model synth renders: its problems, and its suggestion for this cluster.
    const mesh = factory(options.clusters, options.outdir);
    // A record lost to a merge conflict cannot be restored: say so rather than allocate as if there were none.
    // Only the cluster.yml files can be damaged records.
    for (const problem of damagedClusterFiles(
      readOutputTree(options.outdir, (file) => pharosConfigCluster(file) !== undefined),
      options.outdir,
    ))
      options.report.problem(problem);
    // Warnings as every other command gives them (the GitOps placeholder, shared service CIDRs).
    for (const problem of mesh.problems.filter((candidate) => candidate.severity === 'warning')) options.report.problem(problem);
    const subnet = mesh.suggestedSubnets.get(cluster);
    // Allocation needs a sound mesh to allocate in: anything else wrong must be fixed first.
    const blocking = mesh.errors().filter((problem) => problem.rule !== 'missing-subnet');
    if (blocking.length > 0) {
      for (const problem of blocking) options.report.problem(problem);
      output.err(`weave-mesh: fix the errors above before allocating; nothing was written`);
      return 1;
    }
    if (!subnet) {
      const present = mesh.problems.some((problem) => problem.cluster === cluster && problem.rule === 'missing-subnet');
      if (present) {
        options.report.problem({ severity: 'error', file: file.path, cluster, message: `pod_network_cidr has no free subnet left for ${cluster}; nothing was written`, rule: 'allocate' });
        return 1;
      }
      output.out(`weave-mesh: ${file.path} already has its subnet; allocation never moves a cluster, nothing was written`);
      return 0;
    }
    const filePath = path.join(options.clusters, path.basename(file.path));
    const refused = writeSubnet(filePath, subnet);
    if (refused) {
      options.report.problem({ severity: 'error', file: file.path, cluster, message: refused, rule: 'allocate' });
      return 1;
    }
    const restored = mesh.recordedSubnets.get(cluster) === subnet;
    options.report.set('cluster', cluster);
    options.report.set('subnet', subnet);
    options.report.set('restored', restored);
    output.out(
      restored
        ? `weave-mesh: restored network.weave.ipalloc_default_subnet: ${subnet} into ${file.path}, as ${options.outdir} records it for the running cluster; run npm run synth to render it`
        : `weave-mesh: wrote network.weave.ipalloc_default_subnet: ${subnet} into ${file.path}; run npm run synth to render it`,
    );
    return 0;
  },
};
