import { ApiObject, Chart } from 'cdk8s';
import { libyamlRefusals } from '../src/util/libyaml';
import { doNotEdit, MARKER_FILE, markerContent, MeshOrigin, OVERVIEW_FILE, PHAROS_CONFIG_FILE } from '../src/output/layout';
import { renderOverview } from '../src/output/overview';

import { OutputTree } from '../src/output/tree';
import { toYaml } from '../src/output/yaml';
import { Construct } from 'constructs';
import { ClusterChart } from './cluster-chart';
import { OutputChart } from './output-chart';

interface KubernetesObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string };
}

/**
 * Renders a mesh to files: every OutputChart's objects below `root` into its folder, each cluster's
 * Pharos config beside its synced folder, the overview and the ownership marker. Validates every
 * construct first, as cdk8s synth would. Deterministic: the same mesh gives the same bytes, with no
 * timestamps, hashes or absolute paths.
 */
export function renderTree(root: Construct, clusters: readonly ClusterChart[], origin: MeshOrigin = 'inventory'): OutputTree {
  const files = new Map<string, string>([
    [MARKER_FILE, markerContent(origin)],
    [OVERVIEW_FILE, renderOverview(clusters, doNotEdit(origin))],
  ]);
  // A cluster's own files name where that cluster is declared; the mesh's files, where the mesh is.
  const clusterOrigin = (chart: OutputChart): MeshOrigin => {
    const cluster = clusters.find((each) => each === chart);
    return cluster ? (cluster.cluster.origin === 'code' ? 'code' : 'inventory') : origin;
  };
  const add = (file: string, content: string): void => {
    if (files.has(file)) throw new Error(`internal: two outputs render to ${file}`);
    // YAML allows no NUL, and nothing we render holds one. The search also stores the text in one piece
    // now: V8 keeps a string built from parts (a header and the YAML) as a tree of them and copies it
    // into one piece when it is first read whole, which was during the write, in the old generation,
    // 29 MB at 256 clusters. Copied now, while the parts are young, they die cheaply (docs/benchmarks.md).
    if (content.includes('\0')) throw new Error(`internal: the rendered ${file} holds a NUL character`);
    files.set(file, content);
  };
  const constructs = root.node.findAll();
  const errors = constructs.flatMap((construct) => construct.node.validate().map((error) => `${construct.node.path}: ${error}`));
  if (errors.length > 0) throw new Error(`invalid construct tree: ${errors.join('; ')}`);
  for (const chart of constructs.filter(OutputChart.isOutputChart)) {
    const objects = chartObjects(chart);
    const from = chart.source ? ` from ${chart.source}` : '';
    for (const object of objects) {
      add(`${chart.folder}/${objectFileName(object)}`, header(`Rendered by weave-mesh${from}. ${doNotEdit(clusterOrigin(chart))}`) + toYaml(object));
    }
    if (chart.kustomization) {
      add(
        `${chart.folder}/kustomization.yaml`,
        header('Rendered by weave-mesh: the objects of this folder, as Argo CD, Flux and kubectl apply -k read them.') + toYaml({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: objects.map(objectFileName).sort() }),
      );
    }
  }
  for (const chart of clusters) {
    const { text } = chart.pharosConfig;
    // The inventory's text was checked when it was loaded; this holds the edits and code-declared clusters to the same rules.
    const [refused] = libyamlRefusals(text);
    if (refused) throw new Error(`internal: the rendered ${chart.cluster.name}/${PHAROS_CONFIG_FILE} ${refused.message} (at offset ${refused.offset})`);
    add(
      `${chart.cluster.name}/${PHAROS_CONFIG_FILE}`,
      header(
        `Pharos cluster.yml of cluster ${chart.cluster.name}, rendered by weave-mesh from ${chart.source}: run pharos up -c <this file>`,
        'from any folder. Pharos changes into this folder first, so relative paths were rebased to name the same',
        `files from here; known_peers${chart.pharosConfig.trustsPeers ? ' and firewalld.trusted_subnets' : ''} are derived. ${doNotEdit(chart.cluster.origin === 'code' ? 'code' : 'inventory')}`,
        // A CRLF inventory file stays CRLF, header included.
      ).replace(/\n/g, /\r\n/.test(text) ? '\r\n' : '\n') + text,
    );
  }
  return new Map([...files.entries()].sort(([a], [b]) => (a < b ? -1 : 1)));
}

/**
 * The chart's Kubernetes objects as JSON. Not `chart.toJson()`: that resolves and validates the whole
 * app again for every chart, which made a 256-cluster mesh spend most of its time there. The tree is
 * validated once in renderMesh; output order does not matter, since files are named by object.
 */
function chartObjects(chart: OutputChart): KubernetesObject[] {
  return chart.node
    .findAll()
    .filter((node): node is ApiObject => ApiObject.isApiObject(node) && Chart.of(node) === chart)
    .map((object) => object.toJson() as KubernetesObject);
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
