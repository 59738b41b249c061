import * as fs from 'fs';
import * as path from 'path';
import { isForeignPath } from './layout';
import { OutputTree } from './tree';
import { assertOutputFolder, listEntries, OutputFolderError } from './write';

/** No file weave-mesh renders comes near this; anything larger in the output folder is not ours. */
const MAX_OUTPUT_FILE_BYTES = 16 * 1024 * 1024;

/** One file that differs between the rendered tree and the output folder; undefined = absent on that side. */
export interface FileDifference {
  readonly file: string;
  readonly onDisk?: string;
  readonly rendered?: string;
}

/**
 * The files of an output folder as a tree, without the foreign `flux-system/` folders; empty when it
 * does not exist. The folder arrives in pull requests: a symbolic link is never followed (it could
 * print a secret in a diff) and a FIFO or device never read (it could hang or grow without end);
 * they are refused with their path.
 */
export function readOutputTree(outdir: string, include: (file: string) => boolean = () => true): OutputTree {
  assertOutputFolder(outdir);
  if (!fs.existsSync(outdir)) return new Map();
  if (!fs.statSync(outdir).isDirectory()) throw new OutputFolderError(`refusing to read ${outdir}: it is not a folder`);
  const tree = new Map<string, string>();
  for (const entry of listEntries(outdir)) {
    if (isForeignPath(entry.path) || !include(entry.path)) continue;
    const file = path.join(outdir, ...entry.path.split('/'));
    if (entry.kind !== 'file') {
      throw new OutputFolderError(`refusing to read ${file}: it is a ${entry.kind}, and weave-mesh writes only regular files into its output folder; remove it`);
    }
    const size = fs.lstatSync(file).size;
    if (size > MAX_OUTPUT_FILE_BYTES) throw new OutputFolderError(`refusing to read ${file}: it is ${size} bytes, far more than weave-mesh writes; remove it`);
    tree.set(entry.path, fs.readFileSync(file, 'utf8'));
  }
  return tree;
}

/** How a file changes from the output folder to the render. */
export type FileChange = { readonly file: string; readonly change: 'added' | 'removed' | 'modified' };

/** Each differing file with whether the render adds, removes or modifies it. */
export function fileChanges(differences: readonly FileDifference[]): FileChange[] {
  return differences.map(({ file, onDisk, rendered }) => ({ file, change: onDisk === undefined ? 'added' : rendered === undefined ? 'removed' : 'modified' }));
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
