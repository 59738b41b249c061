import { compareTrees, FileDifference, fileChanges, formatTreeDiff, readOutputTree } from '../output/compare';
import { clustersOf, damagedClusterFiles, leftoverFluxFolders } from '../output/plan';
import { Command, renderInventory } from './command';

/** Beyond this many differing files check annotates the rest with one line. */
const MAX_FILES_ANNOTATED = 10;

export const check: Command = {
  summary: 'exit 1 with a diff when the output folder is not what synth would render; writes nothing',
  run(options, factory, output) {
    const rendered = renderInventory(options, factory, output, 'nothing was compared with');
    if (!rendered.ok) return 1;
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
    if (options.format === 'github') {
      // On the pull request: one annotation per differing file (a few at most), on the file when it exists.
      // Every annotation has a file and a line: the first line that differs (1 for a file on one side only).
      const changes = fileChanges(differences);
      const shown = changes.slice(0, MAX_FILES_ANNOTATED);
      for (const [index, { file, change }] of shown.entries()) {
        const where = `${options.outdir}/${file}`;
        const what = change === 'added' ? `is missing: ${options.clusters} renders it` : change === 'removed' ? `is no longer rendered from ${options.clusters}` : `is not what ${options.clusters} renders`;
        options.report.problem({ severity: 'error', file: where, line: firstDifferingLine(differences[index]), message: `${where} ${what}; run npm run synth and commit the result`, rule: 'out-of-date' });
      }
      if (count > shown.length) {
        const next = differences[shown.length];
        options.report.problem({
          severity: 'error',
          file: `${options.outdir}/${next.file}`,
          line: firstDifferingLine(next),
          message: `this and ${count - shown.length - 1} more files of ${options.outdir} differ from what ${options.clusters} renders; run npm run synth and commit the result`,
          rule: 'out-of-date',
        });
      }
    }
    output.err(`weave-mesh: ${options.outdir} is out of date: ${count} ${count === 1 ? 'file differs' : 'files differ'} from what ${options.clusters} renders; run npm run synth and commit the result`);
    return 1;
  },
};

/** The first line (1-based) of the committed file that differs from the render; 1 when the file is on one side only. */
export function firstDifferingLine({ onDisk, rendered }: FileDifference): number {
  if (onDisk === undefined || rendered === undefined) return 1;
  const before = onDisk.split('\n');
  const after = rendered.split('\n');
  const at = before.findIndex((line, index) => line !== after[index]);
  return at < 0 ? before.length : at + 1;
}
