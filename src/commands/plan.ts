import * as fs from 'fs';
import { formatProblem, Problem } from '../mesh/problem';
import { compareTrees, formatTreeDiff, readOutputTree } from '../output/compare';
import { damagedClusterFiles, formatInvalidMarkdown, formatNextSteps, formatPlan, formatPlanMarkdown, leftoverFluxFolders, meshStateOf, nextSteps, planChanges } from '../output/plan';
import { Command, renderInventory } from './command';

/** In GitHub Actions the plan lands in the job's summary, whatever the format asked for here. */
function toStepSummary(markdown: string): void {
  if (process.env.GITHUB_STEP_SUMMARY) fs.appendFileSync(process.env.GITHUB_STEP_SUMMARY, `${markdown}\n`);
}

export const plan: Command = {
  summary: 'summarise what synth would change (clusters, routes, peers, subnets) and the steps to run by hand, then the diff; --summary without the diff, --format markdown for a pull request',
  extraFormats: ['markdown'],
  flags: ['summary'],
  run(options, factory, output) {
    // Every problem this run reports also goes into the Markdown: a pull request shows the warnings
    // (rule warnings of the inventory, damaged files) where reviewers look, not only in the job's log.
    const warnings: Problem[] = [];
    const reported = options.report;
    options = { ...options, report: { problem: (problem: Problem) => (warnings.push(problem), reported.problem(problem)), set: (key, value) => reported.set(key, value) } };
    const rendered = renderInventory(options, factory, output, 'no plan was made for');
    if (!rendered.ok) {
      // The pull request's summary is never empty, least of all when there is something to fix.
      const markdown = formatInvalidMarkdown(rendered.problems.map(formatProblem), options.outdir);
      toStepSummary(markdown);
      if (options.format === 'markdown') output.out(markdown);
      return 1;
    }
    const onDisk = readOutputTree(options.outdir);
    const damaged = damagedClusterFiles(onDisk, options.outdir);
    for (const problem of damaged) options.report.problem(problem);
    // A cluster whose rendered cluster.yml cannot be read has no known state: it neither joins nor
    // changes anything in this plan (its file's diff still shows), rather than look like a new cluster.
    const unknown = new Set(damaged.map((problem) => problem.cluster));
    const known = (state: ReturnType<typeof meshStateOf>) => new Map([...state].filter(([cluster]) => !unknown.has(cluster)));
    const differences = compareTrees(onDisk, rendered.tree);
    const changes = planChanges(known(meshStateOf(onDisk)), known(meshStateOf(rendered.tree)), differences);
    const notes = [
      ...[...unknown].map((cluster) => `cluster ${cluster}: its rendered cluster.yml cannot be read, so this plan cannot say what changes for it; synth renders it again from the inventory`),
      ...leftoverFluxFolders(options.outdir, changes.clustersRemoved.map(({ cluster }) => cluster)),
    ];
    const steps = nextSteps(changes, onDisk, rendered.tree, options.outdir);
    const markdown = formatPlanMarkdown(changes, notes, options.outdir, steps, warnings.filter((problem) => problem.severity === 'warning').map(formatProblem));
    toStepSummary(markdown);
    if (options.format === 'json') {
      options.report.set('plan', changes);
      options.report.set('notes', notes);
      options.report.set('nextSteps', steps);
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
    for (const line of formatNextSteps(steps)) output.out(line);
    if (differences.length > 0 && !options.flags.summary) {
      output.out('');
      for (const line of formatTreeDiff(differences, options.outdir, output.color ?? false, { collapseRepeats: true })) output.out(line);
    }
    return 0;
  },
};
