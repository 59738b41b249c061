import { compareTrees, formatTreeDiff, readOutputTree } from '../output/compare';
import { formatPlan, meshStateOf, planChanges } from '../output/plan';
import { Command, renderInventory } from './command';

export const plan: Command = {
  summary: 'summarise what synth would change (clusters, routes, peers, subnets), then the diff; --json for machines',
  json: true,
  run(options, factory, output) {
    const rendered = renderInventory(options, factory, output, 'no plan was made for');
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
  },
};
