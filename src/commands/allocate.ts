import * as path from 'path';
import { writeSubnet } from '../inventory/edit';
import { loadClusterFiles } from '../inventory/load';
import { formatProblem } from '../inventory/problem';
import { validateInventory } from '../inventory/validate';
import { Command } from './command';

export const allocate: Command = {
  summary: 'write the lowest free subnet into the cluster file that has none',
  operand: '<cluster>',
  run(options, _factory, output) {
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
  },
};
