import * as fs from 'fs';
import * as path from 'path';
import { OutputTree } from './render';

/**
 * Replaces `outdir` with exactly the files of `tree`, so removed objects and clusters disappear.
 * The tree is written into a temporary sibling folder first and swapped in only when complete:
 * a failure leaves `outdir` as it was.
 */
export function writeTreeAtomically(outdir: string, tree: OutputTree): void {
  const target = path.resolve(outdir);
  const parent = path.dirname(target);
  fs.mkdirSync(parent, { recursive: true });
  const staging = fs.mkdtempSync(path.join(parent, `.${path.basename(target)}.new-`));
  try {
    writeTree(staging, tree);
    swapIn(staging, target);
  } catch (error) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw error;
  }
}

/** Writes the files of `tree` below `root`, creating folders as needed. */
export function writeTree(root: string, tree: OutputTree): void {
  for (const [relative, content] of tree) {
    const file = path.join(root, ...relative.split('/'));
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
  }
}

function swapIn(staging: string, target: string): void {
  if (!fs.existsSync(target)) {
    fs.renameSync(staging, target);
    return;
  }
  const retired = `${staging}.old`;
  fs.renameSync(target, retired);
  try {
    fs.renameSync(staging, target);
  } catch (error) {
    fs.renameSync(retired, target);
    throw error;
  }
  fs.rmSync(retired, { recursive: true, force: true });
}
