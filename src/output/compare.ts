import * as fs from 'fs';
import * as path from 'path';
import { readRegularText, RegularFileLimits } from '../util/regular-file';
import { isForeignPath } from './layout';
import { OutputTree } from './tree';
import { assertOutputFolder, listEntries, OutputFolderError } from './write';

/** No file weave-mesh renders comes near this; anything larger in the output folder is not ours. */
export const MAX_OUTPUT_FILE_BYTES = 16 * 1024 * 1024;

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
 * they are refused with their path. Every file is read once, here, so that every reader of one
 * command sees the same text (the records, the damage check, the comparison, the plan).
 */
export function readOutputTree(outdir: string, include: (file: string) => boolean = () => true): OutputTree {
  assertOutputFolder(outdir);
  if (!fs.existsSync(outdir)) return new Map();
  if (!fs.statSync(outdir).isDirectory()) throw new OutputFolderError(`refusing to read ${outdir}: it is not a folder`);
  const tree = new Map<string, string>();
  for (const entry of listEntries(outdir)) {
    if (isForeignPath(entry.path) || !include(entry.path)) continue;
    const file = path.join(outdir, ...entry.path.split('/'));
    const refuse = (reason: string): never => {
      throw new OutputFolderError(`refusing to read ${file}: it ${reason}`);
    };
    if (entry.kind !== 'file') refuse(`is a ${entry.kind}, and weave-mesh writes only regular files into its output folder; remove it`);
    let read: { text: string };
    try {
      read = readRegularText(file, OUTPUT_FILE_LIMITS, refuse);
    } catch (error) {
      if (error instanceof OutputFolderError) throw error;
      // Swapped for a link (ELOOP) or removed since the folder was listed.
      throw new OutputFolderError(`cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? String(error)}): it changed while weave-mesh was reading the folder; run the command again`);
    }
    tree.set(entry.path, read.text);
  }
  return tree;
}

const OUTPUT_FILE_LIMITS: RegularFileLimits = {
  maxBytes: MAX_OUTPUT_FILE_BYTES,
  describeLimit: (size) => `is ${size} bytes, far more than weave-mesh writes; remove it`,
};

/** How a file changes from the output folder to the render. */
export type FileChange = { readonly file: string; readonly change: 'added' | 'removed' | 'modified' };

/** Each differing file with whether the render adds, removes or modifies it. */
export function fileChanges(differences: readonly FileDifference[]): FileChange[] {
  return differences.map(({ file, onDisk, rendered }) => ({ file, change: onDisk === undefined ? 'added' : rendered === undefined ? 'removed' : 'modified' }));
}

/** The files that differ between the output folder and a rendered tree, including files on one side only. */
export function compareTrees(onDisk: OutputTree, rendered: OutputTree): FileDifference[] {
  const differences: FileDifference[] = [];
  for (const file of [...new Set([...onDisk.keys(), ...rendered.keys()])].sort()) {
    const before = onDisk.get(file);
    const after = rendered.get(file);
    if (before !== after) differences.push({ file, onDisk: before, rendered: after });
  }
  return differences;
}

const RED = '\u001b[31m';
const GREEN = '\u001b[32m';
const CYAN = '\u001b[36m';
const BOLD = '\u001b[1m';
const RESET = '\u001b[0m';

/**
 * A unified diff per file, from the output folder (`---`) to what synth would render (`+++`).
 * `options.before` names the old side when it is not the output folder (plan --base: `the base main (5747d3632b00)`).
 */
export function formatTreeDiff(differences: readonly FileDifference[], outdir: string, color: boolean, options: { collapseRepeats?: boolean; before?: string } = {}): string[] {
  const before = options.before ?? 'the output folder';
  const lines: string[] = [];
  // Loaded only when there is a difference to show: synth and a clean check never need it (load time).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { createTwoFilesPatch } = require('diff') as typeof import('diff');
  for (const { file, onDisk, rendered } of differences) {
    const name = `${outdir}/${file}`;
    const patch = createTwoFilesPatch(
      onDisk === undefined ? '/dev/null' : name,
      rendered === undefined ? '/dev/null' : name,
      onDisk ?? '',
      rendered ?? '',
      onDisk === undefined ? `not in ${before}` : before.replace(/^the /, ''),
      rendered === undefined ? 'no longer rendered' : 'rendered',
    );
    // jsdiff starts with an Index: line and a ==== separator of its own; the unified diff starts at ---.
    const body = patch.split('\n');
    const shown = body.slice(body.findIndex((candidate) => candidate.startsWith('--- '))).filter((line) => line !== '' && line !== '\\ No newline at end of file');
    for (const line of options.collapseRepeats ? collapseRepeats(shown) : shown) lines.push(color ? paint(line) : line);
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

/** Runs of diff lines shorter than this are shown even when they repeat. */
export const MIN_REPEAT_COLLAPSED = 20;

/**
 * A file's diff with every run of at least MIN_REPEAT_COLLAPSED lines that repeats an earlier run of
 * the same diff (ignoring indentation) replaced by one line saying which. The route-config DaemonSet
 * carries its agent's program twice (the container and its probe), so a new cluster's plan printed
 * it twice; a reviewer reads it once. Not a valid patch any more: plan's text only, never check's.
 */
export function collapseRepeats(lines: readonly string[]): string[] {
  const key = (line: string) => `${line[0]}${line.slice(1).trim()}`;
  const keys = lines.map(key);
  const firstAt = new Map<string, number[]>();
  const out: string[] = [];
  for (let i = 0; i < lines.length;) {
    let best = { start: -1, length: 0 };
    // A few earlier starts per line are enough to find a repeated block, and keep this linear.
    for (const start of (firstAt.get(keys[i]) ?? []).slice(0, 4)) {
      let length = 0;
      while (start + length < i && i + length < lines.length && keys[start + length] === keys[i + length] && !lines[i + length].startsWith('@@')) length++;
      if (length > best.length) best = { start, length };
    }
    if (best.length >= MIN_REPEAT_COLLAPSED) {
      const from = lines[best.start].slice(1).trim();
      out.push(`${lines[i][0]}   [... ${best.length} lines, the same as those above from ${JSON.stringify(from.length > 60 ? `${from.slice(0, 57)}...` : from)}, indented differently; not repeated here ...]`);
      i += best.length;
      continue;
    }
    const starts = firstAt.get(keys[i]);
    if (starts) starts.push(i);
    else firstAt.set(keys[i], [i]);
    out.push(lines[i]);
    i++;
  }
  return out;
}
