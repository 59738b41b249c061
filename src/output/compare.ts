import * as fs from 'fs';
import * as path from 'path';
import { isForeignPath } from './layout';
import { OutputTree } from './tree';
import { listFiles } from './write';

/** One file that differs between the rendered tree and the output folder; undefined = absent on that side. */
export interface FileDifference {
  readonly file: string;
  readonly onDisk?: string;
  readonly rendered?: string;
}

/** The files of an output folder as a tree, without the foreign `flux-system/` folders; empty when it does not exist. */
export function readOutputTree(outdir: string): OutputTree {
  if (!fs.existsSync(outdir)) return new Map();
  return new Map(
    listFiles(outdir)
      .filter((file) => !isForeignPath(file))
      .map((file) => [file, fs.readFileSync(path.join(outdir, ...file.split('/')), 'utf8')]),
  );
}

/** The files that differ between the output folder and a rendered tree, including files on one side only. */
export function compareTrees(onDisk: OutputTree, rendered: OutputTree): FileDifference[] {
  const files = [...new Set([...onDisk.keys(), ...rendered.keys()])].sort();
  return files
    .filter((file) => onDisk.get(file) !== rendered.get(file))
    .map((file) => ({ file, onDisk: onDisk.get(file), rendered: rendered.get(file) }));
}

const RED = '\u001b[31m';
const GREEN = '\u001b[32m';
const CYAN = '\u001b[36m';
const BOLD = '\u001b[1m';
const RESET = '\u001b[0m';

/** A unified diff per file, from the output folder (`---`) to what synth would render (`+++`). */
export function formatTreeDiff(differences: readonly FileDifference[], outdir: string, color: boolean): string[] {
  const lines: string[] = [];
  // Loaded only when there is a difference to show: synth and a clean check never need it.
  const { createTwoFilesPatch } = require('diff') as typeof import('diff');
  for (const { file, onDisk, rendered } of differences) {
    const name = `${outdir}/${file}`;
    const patch = createTwoFilesPatch(
      onDisk === undefined ? '/dev/null' : name,
      rendered === undefined ? '/dev/null' : name,
      onDisk ?? '',
      rendered ?? '',
      onDisk === undefined ? 'not in the output folder' : 'output folder',
      rendered === undefined ? 'no longer rendered' : 'rendered',
    );
    // jsdiff starts with an Index: line and a ==== separator of its own; the unified diff starts at ---.
    const body = patch.split('\n');
    for (const line of body.slice(body.findIndex((candidate) => candidate.startsWith('--- ')))) {
      if (line === '' || line === '\\ No newline at end of file') continue;
      lines.push(color ? paint(line) : line);
    }
  }
  return lines;
}

function paint(line: string): string {
  if (line.startsWith('+++') || line.startsWith('---')) return `${BOLD}${line}${RESET}`;
  if (line.startsWith('+')) return `${GREEN}${line}${RESET}`;
  if (line.startsWith('-')) return `${RED}${line}${RESET}`;
  if (line.startsWith('@@')) return `${CYAN}${line}${RESET}`;
  return line;
}
