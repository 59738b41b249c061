import { compareAddresses, parseIPv4Address } from '../net/cidr';
import { ClusterSpec, MeshSpec, workerAddresses } from './model';

/**
 * Weave `known_peers` of a cluster: every worker of every other cluster, plus the cluster's own
 * extra peers, in address order without duplicates.
 */
export function knownPeers(mesh: MeshSpec, cluster: ClusterSpec): string[] {
  const peers = otherClusters(mesh, cluster).flatMap(workerAddresses).concat(cluster.extraPeers);
  return [...new Set(peers)].sort(compareAddresses);
}

/** Subnets a cluster's nodes must route over the `weave` bridge: every other cluster's, in address order. */
export function routedSubnets(mesh: MeshSpec, cluster: ClusterSpec): string[] {
  return subnetsRoutedBy(mesh.clusters, cluster.name);
}

/** The routing rule itself, for any list of clusters: also how plan reads routes back from rendered output. */
export function subnetsRoutedBy(clusters: readonly { readonly name: string; readonly subnet: string }[], cluster: string): string[] {
  return clusters
    .filter((other) => other.name !== cluster)
    .map((other) => other.subnet)
    .sort(compareAddresses);
}

/** The other clusters' worker addresses that are IPv4 addresses: what firewalld must trust (it takes no host names). */
export function firewalldPeers(mesh: MeshSpec, cluster: ClusterSpec): string[] {
  const peers = otherClusters(mesh, cluster).flatMap(workerAddresses).filter((address) => parseIPv4Address(address).ok);
  return [...new Set(peers)].sort(compareAddresses);
}

function otherClusters(mesh: MeshSpec, cluster: ClusterSpec): ClusterSpec[] {
  return mesh.clusters.filter((other) => other.name !== cluster.name);
}
