import * as fs from 'fs';
import { formatProblem } from '../mesh/problem';
import { formatTreeDiff, readOutputTree } from '../output/compare';
import { readBaseTree } from '../output/git-tree';
import { formatInvalidMarkdown, formatNextSteps, formatPlan, formatPlanHeading, formatPlanMarkdown, makePlan } from '../output/plan';
import { Command, renderInventory } from './command';

/** In GitHub Actions the plan lands in the job's summary, whatever the format asked for here. */
function toStepSummary(markdown: string): void {
  if (process.env.GITHUB_STEP_SUMMARY) fs.appendFileSync(process.env.GITHUB_STEP_SUMMARY, `${markdown}\n`);
}

export const plan: Command = {
  summary:
    'summarise what synth would change (clusters, routes, peers, subnets) and the steps to run by hand, then the diff; --base REF against a git commit\'s output folder (a pull request\'s base), --summary without the diff, --format markdown for a pull request',
  extraFormats: ['markdown'],
  flags: ['summary'],
  values: ['base'],
  run(options, factory, output) {
    const rendered = renderInventory(options, factory, output, 'no plan was made for');
    if (!rendered.ok) {
      // The pull request's summary is never empty, least of all when there is something to fix.
      const markdown = formatInvalidMarkdown(rendered.problems.map(formatProblem), options.outdir);
      toStepSummary(markdown);
      if (options.format === 'markdown') output.out(markdown);
      return 1;
    }
    // With --base, the old side is the base commit's output folder, read from git; every message names
    // the folder by its path in the repository, as the reviewer and the operator know it.
    const base = options.values.base !== undefined ? readBaseTree(options.values.base, options.outdir) : undefined;
    const shown = base?.folder ?? options.outdir;
    const { changes, notes, steps, damaged, differences } = makePlan(base?.tree ?? readOutputTree(options.outdir), rendered.tree, options.outdir, shown);
    for (const problem of damaged) options.report.problem(problem);
    // Warnings reach the Markdown too: on success nothing else shows them to the pull request's reader.
    const warnings = [...rendered.mesh.problems, ...damaged].filter((problem) => problem.severity === 'warning').map((problem) => formatProblem(problem).replace(/^warning: /, ''));
    const markdown = formatPlanMarkdown(changes, { outdir: shown, notes, steps, base, warnings });
    toStepSummary(markdown);
    if (options.format === 'json') {
      if (base) options.report.set('base', { ref: base.ref, commit: base.commit, folder: base.folder });
      options.report.set('plan', changes);
      options.report.set('notes', notes);
      options.report.set('nextSteps', steps);
      options.report.set('diff', formatTreeDiff(differences, shown, false).join('\n'));
      return 0;
    }
    if (options.format === 'markdown') {
      output.out(markdown);
      return 0;
    }
    output.out(formatPlanHeading(shown, base));
    for (const line of formatPlan(changes, base)) output.out(line);
    for (const note of notes) output.out(`NOTE: ${note}`);
    for (const line of formatNextSteps(steps)) output.out(line);
    if (differences.length > 0 && !options.flags.summary) {
      output.out('');
      for (const line of formatTreeDiff(differences, shown, output.color ?? false, { collapseRepeats: true })) output.out(line);
    }
    return 0;
  },
};
