import { ClusterSpec, workerAddresses } from '../mesh/model';
import { memoize } from '../util/memoize';
import { DO_NOT_EDIT } from './layout';

/** Above this many clusters the diagram draws the full mesh as one hub instead of every peering. */
export const MAX_CLUSTERS_DRAWN_PAIRWISE = 8;

/** Lists longer than this are collapsed, so a large mesh's overview stays readable in a pull request. */
export const MAX_ITEMS_SHOWN_OPEN = 8;

/** A list of addresses: shown as it is when short, in a collapsed <details> when long. One string of lines. */
function listing(one: string, many: string, items: readonly string[]): string {
  const what = items.length === 1 ? one : many;
  if (items.length === 0) return `No ${many}.\n`;
  // A large mesh lists every address once per cluster: one line per address, shared by every list.
  const list = items.map(listItem).join('\n');
  if (items.length <= MAX_ITEMS_SHOWN_OPEN) return `${items.length} ${what}:\n\n${list}\n`;
  return `<details><summary>${items.length} ${what}</summary>\n\n${list}\n\n</details>\n`;
}

const listItem = memoize((item: string) => `- \`${item}\``);

/** What the overview shows of one cluster. */
export interface OverviewCluster {
  readonly cluster: ClusterSpec;
  /** The Weave password file, named from the output folder (where the overview is). */
  readonly passwordFile: string;
  readonly knownPeers: readonly string[];
  readonly routedSubnets: readonly string[];
}

/**
 * `README.md` of the output folder: a table of the clusters and a Mermaid diagram of the mesh, which
 * GitHub and GitLab draw in pull requests. Deterministic, like every other output file.
 */
export function renderOverview(clusters: readonly OverviewCluster[]): string {
  const lines: string[] = [
    `<!-- Rendered by weave-mesh. ${DO_NOT_EDIT} -->`,
    '# Weave mesh',
    '',
  ];
  if (clusters.length === 0) return `${lines.join('\n')}\nNo clusters.\n`;
  const [first] = clusters;
  const peerings = (clusters.length * (clusters.length - 1)) / 2;
  lines.push(
    `${clusters.length} ${clusters.length === 1 ? 'cluster shares' : 'clusters share'} the pod network \`${first.cluster.podNetworkCidr}\`` +
      ` and the Weave password file \`${first.passwordFile}\`; every pair of clusters peers (${peerings} ${peerings === 1 ? 'peering' : 'peerings'}).`,
    '',
    '| Cluster | Subnet | Service CIDR | Workers | Known peers | Routes |',
    '|---|---|---|---:|---:|---:|',
  );
  for (const chart of clusters) {
    const { cluster } = chart;
    lines.push(
      `| [${cluster.name}](${cluster.name}/) | \`${cluster.subnet}\` | \`${cluster.serviceCidr}\` | ${workerAddresses(cluster).length} | ${chart.knownPeers.length} | ${chart.routedSubnets.length} |`,
    );
  }
  lines.push('', '```mermaid', 'graph LR');
  clusters.forEach((chart, index) => lines.push(`  c${index}["${chart.cluster.name}<br/>${chart.cluster.subnet}"]`));
  if (clusters.length <= MAX_CLUSTERS_DRAWN_PAIRWISE) {
    clusters.forEach((_, a) => clusters.slice(a + 1).forEach((__, offset) => lines.push(`  c${a} <--> c${a + 1 + offset}`)));
  } else {
    lines.push(`  mesh(("full mesh<br/>${peerings} peerings"))`);
    clusters.forEach((_, index) => lines.push(`  c${index} <--> mesh`));
  }
  clusters.forEach((chart, index) => {
    const extra = chart.cluster.extraPeers.length;
    if (extra > 0) {
      lines.push(`  x${index}(["${extra} external ${extra === 1 ? 'peer' : 'peers'}"])`, `  c${index} -.- x${index}`);
    }
  });
  lines.push('```', '');
  if (clusters.length > MAX_CLUSTERS_DRAWN_PAIRWISE) {
    lines.push(`Above ${MAX_CLUSTERS_DRAWN_PAIRWISE} clusters the diagram draws the full mesh as one hub rather than every peering.`, '');
  }
  lines.push('## Per cluster', '', 'What each cluster\'s Weave peers with (`network.weave.known_peers` in its cluster.yml) and routes over its `weave` bridge (the route-config DaemonSet).', '');
  for (const { cluster, knownPeers, routedSubnets } of clusters) {
    lines.push(`### ${cluster.name}`, '', listing('known peer', 'known peers', knownPeers), listing('routed subnet', 'routed subnets', routedSubnets));
  }
  return lines.join('\n');
}
