import * as fs from 'fs';
import { formatProblem } from '../mesh/problem';
import { formatTreeDiff, readOutputTree } from '../output/compare';
import { BaseError, BaseTree, readBaseTree } from '../output/git-tree';
import { formatInvalidMarkdown, formatNextSteps, formatNoPlanMarkdown, formatPlan, formatPlanHeading, formatPlanMarkdown, makePlan } from '../output/plan';
import { Command, renderInventory } from './command';

/** In GitHub Actions the plan lands in the job's summary, whatever the format asked for here. */
function toStepSummary(markdown: string): void {
  if (process.env.GITHUB_STEP_SUMMARY) fs.appendFileSync(process.env.GITHUB_STEP_SUMMARY, `${markdown}\n`);
}

export const plan: Command = {
  summary:
    "summarise what synth would change (clusters, routes, peers, subnets) and the steps to run by hand, then the diff; --base REF against a git commit's output folder (a pull request's base; --base-may-be-empty plans from nothing when that commit has none), --summary without the diff, --format markdown for a pull request",
  extraFormats: ['markdown'],
  flags: ['summary', 'base-may-be-empty'],
  values: ['base'],
  run(options, factory, output) {
    if (options.flags['base-may-be-empty'] && options.values.base === undefined) {
      output.err('error: --base-may-be-empty says how to treat a --base without an output folder; give it with --base REF');
      return 2;
    }
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
    let base: BaseTree | undefined;
    try {
      base = options.values.base !== undefined ? readBaseTree(options.values.base, options.outdir, { mayBeEmpty: options.flags['base-may-be-empty'] === true }) : undefined;
    } catch (error) {
      // The job summary says why there is no plan, rather than stay empty under a failed step.
      if (error instanceof BaseError) {
        const markdown = formatNoPlanMarkdown(error.message);
        toStepSummary(markdown);
        if (options.format === 'markdown') output.out(markdown);
      }
      throw error;
    }
    const shown = base?.folder ?? options.outdir;
    const { changes, notes: planNotes, steps, damaged, differences } = makePlan(base?.tree ?? readOutputTree(options.outdir), rendered.tree, options.outdir, shown, base);
    const notes = [...planNotes];
    // The diff's old side is the base commit's, not the output folder on disk.
    const baseSide = base ? `the base ${base.ref === base.commit ? base.commit.slice(0, 12) : `${base.ref} (${base.commit.slice(0, 12)})`}` : undefined;
    if (base?.empty) {
      notes.unshift(
        `the base ${base.ref === base.commit ? base.commit.slice(0, 12) : `${base.ref} (${base.commit.slice(0, 12)})`} has no ${base.folder}/ folder (this change introduces weave-mesh): this plan compares with an empty base, so every cluster joins`,
      );
    }
    if (base?.movedFrom) {
      notes.unshift(`the output folder moves from ${base.movedFrom}/ (the base's) to ${base.folder}/ (gitops.pathPrefix): this plan compares the two, and the next steps name the new paths; the hub objects that name the old ones change`);
    }
    for (const problem of damaged) options.report.problem(problem);
    // Warnings reach the Markdown too: on success nothing else shows them to the pull request's reader.
    const warnings = [...rendered.mesh.problems, ...damaged].filter((problem) => problem.severity === 'warning').map((problem) => formatProblem(problem).replace(/^warning: /, ''));
    const markdown = formatPlanMarkdown(changes, { outdir: shown, notes, steps, base, warnings });
    toStepSummary(markdown);
    if (options.format === 'json') {
      if (base) options.report.set('base', { ref: base.ref, commit: base.commit, folder: base.folder, ...(base.movedFrom ? { movedFrom: base.movedFrom } : {}), ...(base.empty ? { empty: true } : {}) });
      options.report.set('plan', changes);
      options.report.set('notes', notes);
      options.report.set('nextSteps', steps);
      options.report.set('diff', formatTreeDiff(differences, shown, false, { before: baseSide }).join('\n'));
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
      for (const line of formatTreeDiff(differences, shown, output.color ?? false, { collapseRepeats: true, before: baseSide })) output.out(line);
    }
    return 0;
  },
};
