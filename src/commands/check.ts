import { compareTrees, fileChanges, formatTreeDiff, readOutputTree } from '../output/compare';
import { clustersOf, damagedClusterFiles, leftoverFluxFolders } from '../output/plan';
import { Command, renderInventory } from './command';

export const check: Command = {
  summary: 'exit 1 with a diff when the output folder is not what synth would render; writes nothing',
  run(options, factory, output) {
    const rendered = renderInventory(options, factory, output, 'nothing was compared with');
    if (!rendered) return 1;
    const onDisk = readOutputTree(options.outdir);
    for (const problem of damagedClusterFiles(onDisk, options.outdir)) options.report.problem(problem);
    const differences = compareTrees(onDisk, rendered.tree);
    const rendering = clustersOf(rendered.tree);
    const leaving = [...clustersOf(onDisk)].filter((cluster) => !rendering.has(cluster));
    for (const note of leftoverFluxFolders(options.outdir, leaving)) options.report.problem({ severity: 'warning', message: note, rule: 'flux-system-left' });
    options.report.set('upToDate', differences.length === 0);
    options.report.set('files', fileChanges(differences));
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
