import { compareTrees, formatTreeDiff, readOutputTree } from '../output/compare';
import { Command, renderInventory } from './command';

export const check: Command = {
  summary: 'exit 1 with a diff when the output folder is not what synth would render; writes nothing',
  run(options, factory, output) {
    const rendered = renderInventory(options, factory, output, 'nothing was compared with');
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
  },
};
