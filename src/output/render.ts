import * as path from 'path';
import { stringify } from 'yaml';
import { ClusterChart } from '../../constructs/cluster-chart';
import { WeaveMesh } from '../../constructs/weave-mesh';

/** The output tree in memory: relative POSIX path -> file content. Sorted by path. */
export type OutputTree = ReadonlyMap<string, string>;

/** Folder, inside a cluster's directory, that Argo CD or Flux syncs: Kubernetes objects and kustomization.yaml only. */
export const SYNCED_FOLDER = 'kubernetes';
/** The cluster's Pharos network config, beside the synced folder. */
export const PHAROS_NETWORK_FILE = 'pharos/network.yml';

interface KubernetesObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string };
}

/** Serialises YAML the same way on every machine: no line folding, two-space indent. */
export function toYaml(value: unknown): string {
  return stringify(value, { lineWidth: 0, indent: 2, indentSeq: true, aliasDuplicateObjects: false });
}

/**
 * Renders the mesh to files. Pure and deterministic: the same mesh gives the same bytes, with no
 * timestamps, hashes or absolute paths.
 */
export function renderMesh(mesh: WeaveMesh): OutputTree {
  const files = new Map<string, string>();
  for (const chart of mesh.clusters) {
    for (const [file, content] of renderCluster(chart)) files.set(`${chart.cluster.name}/${file}`, content);
  }
  return new Map([...files.entries()].sort(([a], [b]) => (a < b ? -1 : 1)));
}

function renderCluster(chart: ClusterChart): Map<string, string> {
  const source = path.basename(chart.cluster.file);
  const files = new Map<string, string>();
  files.set(
    PHAROS_NETWORK_FILE,
    header(
      `Pharos network config for cluster ${chart.cluster.name}, rendered by weave-mesh from ${source}.`,
      'Use it as the network: block of the cluster.yml given to pharos up. weave.password is resolved',
      'relative to the directory pharos up runs in, not to this file. Do not edit: change the inventory and run npm run synth.',
    ) + toYaml(chart.pharosNetwork.document),
  );

  const resources: string[] = [];
  for (const object of chart.toJson() as KubernetesObject[]) {
    const fileName = objectFileName(object);
    if (files.has(`${SYNCED_FOLDER}/${fileName}`)) {
      throw new Error(`internal: two objects of cluster ${chart.cluster.name} render to ${fileName}`);
    }
    resources.push(fileName);
    files.set(`${SYNCED_FOLDER}/${fileName}`, header(`Rendered by weave-mesh from ${source}. Do not edit: change the inventory and run npm run synth.`) + toYaml(object));
  }
  resources.sort();
  files.set(
    `${SYNCED_FOLDER}/kustomization.yaml`,
    header(`Kubernetes objects of cluster ${chart.cluster.name}, rendered by weave-mesh. Argo CD and Flux sync this folder.`) +
      toYaml({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources }),
  );
  return files;
}

/**
 * `<namespace>.<kind>.<name>.yaml`, or `_cluster.<kind>.<name>.yaml` for cluster-scoped objects.
 * Namespaces and kinds contain no dots and `_` cannot start a namespace, so names cannot collide.
 */
export function objectFileName(object: KubernetesObject): string {
  return `${object.metadata.namespace ?? '_cluster'}.${object.kind.toLowerCase()}.${object.metadata.name}.yaml`;
}

function header(...lines: string[]): string {
  return lines.map((line) => `# ${line}\n`).join('');
}
