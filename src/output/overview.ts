import { ClusterSpec, workerAddresses } from '../mesh/model';
import { compareAddresses } from '../net/cidr';
import { DO_NOT_EDIT } from './layout';

/** Up to this many clusters the diagram draws every peering. */
export const MAX_CLUSTERS_DRAWN_PAIRWISE = 8;

/** Up to this many clusters the diagram draws each cluster around one hub; above, groups of clusters. */
export const MAX_CLUSTERS_DRAWN = 64;

/** Lists longer than this are collapsed, so a large mesh's overview stays readable in a pull request. */
export const MAX_ITEMS_SHOWN_OPEN = 8;

/** A list of addresses: shown as it is when short, in a collapsed <details> when long. One string of lines. */
function listing(one: string, many: string, items: readonly string[]): string {
  const what = items.length === 1 ? one : many;
  if (items.length === 0) return `No ${many}.\n`;
  const list = items.map((item) => `- \`${item}\``).join('\n');
  if (items.length <= MAX_ITEMS_SHOWN_OPEN) return `${items.length} ${what}:\n\n${list}\n`;
  return `<details><summary>${items.length} ${what}</summary>\n\n${list}\n\n</details>\n`;
}

/** What the overview shows of one cluster. */
export interface OverviewCluster {
  readonly cluster: ClusterSpec;
  /** The Weave password file, named from the output folder (where the overview is). */
  readonly passwordFile: string;
  readonly knownPeers: readonly string[];
  readonly routedSubnets: readonly string[];
}

const plural = (count: number, one: string, many: string) => `${count} ${count === 1 ? one : many}`;

/**
 * `README.md` of the output folder: a table of the clusters, a Mermaid diagram of the mesh (which
 * GitHub and GitLab draw in pull requests) and each cluster's workers, listed once. Every cluster
 * peers with every other cluster's workers and routes every other cluster's subnet, so those lists
 * (quadratic in the mesh) are stated by that rule and counted, never repeated per cluster: the
 * overview grows with clusters plus workers. Deterministic, like every other output file.
 */
export function renderOverview(clusters: readonly OverviewCluster[], doNotEdit = DO_NOT_EDIT): string {
  const lines: string[] = [`<!-- Rendered by weave-mesh. ${doNotEdit} -->`, '# Weave mesh', ''];
  if (clusters.length === 0) return `${lines.join('\n')}\nNo clusters.\n`;
  const [first] = clusters;
  const peerings = (clusters.length * (clusters.length - 1)) / 2;
  lines.push(
    `${clusters.length} ${clusters.length === 1 ? 'cluster shares' : 'clusters share'} the pod network \`${first.cluster.podNetworkCidr}\`` +
      ` and the Weave password file \`${first.passwordFile}\`; every pair of clusters peers (${plural(peerings, 'peering', 'peerings')}).`,
    '',
    "Each cluster's Weave peers (`network.weave.known_peers` in its cluster.yml) are **every other cluster's workers**, listed below once per cluster, plus its own external peers;" +
      " each cluster's nodes route **every other cluster's subnet** over their `weave` bridge (the route-config DaemonSet).",
    '',
    '| Cluster | Subnet | Service CIDR | Workers | Known peers | Routes |',
    '|---|---|---|---:|---:|---:|',
  );
  for (const chart of clusters) {
    const { cluster } = chart;
    lines.push(`| [${cluster.name}](#${cluster.name}) | \`${cluster.subnet}\` | \`${cluster.serviceCidr}\` | ${workerAddresses(cluster).length} | ${chart.knownPeers.length} | ${chart.routedSubnets.length} |`);
  }
  lines.push('', ...diagram(clusters), '');
  lines.push('## Clusters and their workers', '');
  for (const { cluster, knownPeers, routedSubnets } of clusters) {
    lines.push(
      `### ${cluster.name}`,
      '',
      `Subnet \`${cluster.subnet}\`; rendered into [${cluster.name}/](${cluster.name}/).` + ` Peers with ${plural(knownPeers.length, 'address', 'addresses')}, routes ${plural(routedSubnets.length, 'subnet', 'subnets')}.`,
      '',
      // In address order, as everything else: the overview must not depend on the order of hosts in the file.
      listing('worker', 'workers', [...workerAddresses(cluster)].sort(compareAddresses)),
    );
    if (cluster.extraPeers.length > 0) lines.push(listing('external peer', 'external peers', [...cluster.extraPeers].sort(compareAddresses)));
  }
  return lines.join('\n');
}

/** The Mermaid diagram: every peering of a small mesh, a hub for a larger one, groups of clusters for a large one. */
function diagram(clusters: readonly OverviewCluster[]): string[] {
  const lines = ['```mermaid', 'graph LR'];
  const peerings = (clusters.length * (clusters.length - 1)) / 2;
  if (clusters.length > MAX_CLUSTERS_DRAWN) {
    // Mermaid (and GitHub's renderer) cap a diagram's size: draw at most about 32 groups of neighbours in the table.
    const size = Math.ceil(clusters.length / 32);
    lines.push(`  mesh(("full mesh<br/>${clusters.length} clusters<br/>${peerings} peerings"))`);
    for (let start = 0, index = 0; start < clusters.length; start += size, index++) {
      const group = clusters.slice(start, start + size);
      const last = group[group.length - 1].cluster;
      const workers = group.reduce((sum, chart) => sum + workerAddresses(chart.cluster).length, 0);
      lines.push(`  g${index}["${group[0].cluster.name} … ${last.name}<br/>${plural(group.length, 'cluster', 'clusters')}, ${plural(workers, 'worker', 'workers')}"]`, `  g${index} <--> mesh`);
    }
    lines.push('```', '', `Above ${MAX_CLUSTERS_DRAWN} clusters the diagram draws groups of clusters, in the order of the table, around the full mesh.`);
    return lines;
  }
  clusters.forEach((chart, index) => lines.push(`  c${index}["${chart.cluster.name}<br/>${chart.cluster.subnet}"]`));
  if (clusters.length <= MAX_CLUSTERS_DRAWN_PAIRWISE) {
    clusters.forEach((_, a) => clusters.slice(a + 1).forEach((__, offset) => lines.push(`  c${a} <--> c${a + 1 + offset}`)));
  } else {
    lines.push(`  mesh(("full mesh<br/>${peerings} peerings"))`);
    clusters.forEach((_, index) => lines.push(`  c${index} <--> mesh`));
  }
  clusters.forEach((chart, index) => {
    const extra = chart.cluster.extraPeers.length;
    if (extra > 0) lines.push(`  x${index}(["${plural(extra, 'external peer', 'external peers')}"])`, `  c${index} -.- x${index}`);
  });
  lines.push('```');
  if (clusters.length > MAX_CLUSTERS_DRAWN_PAIRWISE) {
    lines.push('', `Above ${MAX_CLUSTERS_DRAWN_PAIRWISE} clusters the diagram draws the full mesh as one hub rather than every peering.`);
  }
  return lines;
}
