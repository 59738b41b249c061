import * as fs from 'fs';
import { compareTrees, formatTreeDiff, readOutputTree } from '../output/compare';
import { damagedClusterFiles, formatPlan, formatPlanMarkdown, leftoverFluxFolders, meshStateOf, planChanges } from '../output/plan';
import { Command, renderInventory } from './command';

export const plan: Command = {
  summary: 'summarise what synth would change (clusters, routes, peers, subnets), then the diff; --format markdown for a pull request',
  extraFormats: ['markdown'],
  run(options, factory, output) {
    const rendered = renderInventory(options, factory, output, 'no plan was made for');
    if (!rendered) return 1;
    const onDisk = readOutputTree(options.outdir);
    for (const problem of damagedClusterFiles(onDisk, options.outdir)) options.report.problem(problem);
    const differences = compareTrees(onDisk, rendered.tree);
    const changes = planChanges(meshStateOf(onDisk), meshStateOf(rendered.tree), differences);
    const notes = leftoverFluxFolders(options.outdir, changes.clustersRemoved.map(({ cluster }) => cluster));
    const markdown = formatPlanMarkdown(changes, notes, options.outdir);
    // In GitHub Actions the plan lands in the job's summary, whatever the format asked for here.
    if (process.env.GITHUB_STEP_SUMMARY) fs.appendFileSync(process.env.GITHUB_STEP_SUMMARY, `${markdown}\n`);
    if (options.format === 'json') {
      options.report.set('plan', changes);
      options.report.set('notes', notes);
      options.report.set('diff', formatTreeDiff(differences, options.outdir, false).join('\n'));
      return 0;
    }
    if (options.format === 'markdown') {
      output.out(markdown);
      return 0;
    }
    output.out(`weave-mesh plan: what npm run synth would change in ${options.outdir}`);
    for (const line of formatPlan(changes)) output.out(line);
    for (const note of notes) output.out(`NOTE: ${note}`);
    if (differences.length > 0) {
      output.out('');
      for (const line of formatTreeDiff(differences, options.outdir, output.color ?? false)) output.out(line);
    }
    return 0;
  },
};
