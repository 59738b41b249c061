/**
 * Where things go in the output folder. Cluster directories are named after clusters (DNS-1123
 * labels), so names starting with `_` or `.` can never collide with one.
 */

/** Folder, inside a cluster's directory, that Argo CD or Flux syncs: Kubernetes objects and kustomization.yaml only. */
export const SYNCED_FOLDER = 'kubernetes';

/** Folder of the cluster's Pharos config, inside its directory, beside the synced folder. */
export const PHAROS_FOLDER = 'pharos';

/** The cluster's complete Pharos cluster.yml, for `pharos up -c`. */
export const PHAROS_CONFIG_FILE = `${PHAROS_FOLDER}/cluster.yml`;

// Only a folder named as a cluster can be (a DNS-1123 label): the output folder arrives in pull
// requests, and a cluster's name goes into the next steps' commands and the pull request's Markdown.
const PHAROS_CONFIG_PATH = new RegExp(`^([a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?)/${PHAROS_CONFIG_FILE.replace(/[./]/g, '\\$&')}$`);

/** The cluster whose rendered cluster.yml is at `relative` (`<cluster>/pharos/cluster.yml`), or undefined for any other file. */
export function pharosConfigCluster(relative: string): string | undefined {
  return PHAROS_CONFIG_PATH.exec(relative)?.[1];
}

/** Argo CD's ApplicationSet, for `kubectl apply -k` on the Argo CD cluster. */
export const ARGOCD_FOLDER = '_gitops/argocd';

/** The route agent's teardown, applied by hand to a cluster that leaves the mesh (not synced anywhere). */
export const TEARDOWN_FOLDER = '_teardown';

/** Flux's manifests for one cluster: a `flux bootstrap --path` target. */
export function fluxFolder(cluster: string): string {
  return `_gitops/flux/clusters/${cluster}`;
}

/** The overview of the mesh for reviewers: a table and a Mermaid diagram. */
export const OVERVIEW_FILE = 'README.md';

/** Marks a folder as written by weave-mesh; synth replaces only folders that carry it. */
export const MARKER_FILE = '.weave-mesh';

/** The marker's text for a mesh declared where `origin` says. */
export function markerContent(origin: MeshOrigin): string {
  const run = origin === 'inventory' ? 'npm run synth' : "the app's synth, such as cdk8s synth";
  const edit = { inventory: 'the inventory', code: "the mesh in the app's code", both: "the inventory or the mesh in the app's code" }[origin];
  return `This folder is rendered by weave-mesh (${run}) and replaced as a whole on every run.\nEdit ${edit}, not these files. Only flux-system/ folders written by flux bootstrap are kept.\n`;
}

/**
 * Paths inside the output folder that weave-mesh does not own: `flux bootstrap --path` commits its
 * own `flux-system/` folder into the Flux folder of each cluster. Synth keeps them, check ignores them.
 */
export function isForeignPath(relative: string): boolean {
  return /^_gitops\/flux\/clusters\/[^/]+\/flux-system(\/|$)/.test(relative);
}

/**
 * Where a mesh (or one cluster) was declared: YAML inventory files (this repository: clusters/ and
 * npm run synth), TypeScript in a cdk8s app (cdk8s synth), or both.
 */
export type MeshOrigin = 'inventory' | 'code' | 'both';

/** Ends the header of every rendered file: reviewers and editors must know where changes belong. */
export const DO_NOT_EDIT = doNotEdit('inventory');

/** The end of a rendered file's header for a mesh (or cluster) declared where `origin` says. */
export function doNotEdit(origin: MeshOrigin): string {
  switch (origin) {
    case 'inventory':
      return 'Do not edit: change the inventory and run npm run synth.';
    case 'code':
      return "Do not edit: change the mesh in the app's code and synthesise the app again (cdk8s synth).";
    case 'both':
      return "Do not edit: change the inventory or the mesh in the app's code, and synthesise the app again (cdk8s synth).";
  }
}
