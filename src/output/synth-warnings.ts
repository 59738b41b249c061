import * as path from 'path';
import { MeshSpec } from '../mesh/model';
import { Problem } from '../mesh/problem';
import { trackedByGit } from '../util/git';
import { recordsOf, renumberingWarnings } from './plan';
import { OutputTree } from './tree';

/**
 * The warnings a synth adds to the mesh's own problems, the same for every front end (`npm run synth`
 * and `app.synth()`, so `cdk8s synth` in a user's app): what the output folder says about running
 * clusters, and where the shared secret lies.
 */

/**
 * A running cluster renumbered: its subnet (or the pod network) differs from what the output folder
 * records for it, in its rendered cluster.yml. As loud as plan: that is an outage, whoever asked for it.
 */
export function renumberingProblems(onDisk: OutputTree, rendered: OutputTree): Problem[] {
  const recorded = recordsOf(onDisk);
  // Only a folder that records clusters can renumber one.
  if (recorded.size === 0) return [];
  return renumberingWarnings(recorded, recordsOf(rendered)).map((message) => ({ severity: 'warning', message, rule: 'renumbering' }));
}

/**
 * A warning when git tracks the password file the clusters point at: the shared secret is then in the
 * repository and its history. `~/...` is the home folder of whoever runs pharos up, not checked here.
 */
export function trackedPasswordFiles(mesh: MeshSpec | undefined): Problem[] {
  const files = new Set((mesh?.clusters ?? []).filter((cluster) => !cluster.passwordFile.startsWith('~')).map((cluster) => path.resolve(cluster.baseDir, cluster.passwordFile)));
  return [...files].filter(trackedByGit).map((file) => ({
    severity: 'warning',
    file: path.relative(process.cwd(), file) || file,
    rule: 'password-tracked',
    message:
      "is the Weave password file, and git tracks it: the shared secret is in the repository and its history. Untrack it (git rm --cached), list it in .gitignore, and give the mesh a new secret (weave-mesh's docs/operations.md says how it reaches running clusters)",
  }));
}
