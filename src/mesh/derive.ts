import { compareAddresses, parseIPv4Address } from '../net/cidr';
import { ClusterSpec, MeshSpec, workerAddresses } from './model';

/**
 * Weave `known_peers` of a cluster: every worker of every other cluster, plus the cluster's own
 * extra peers, in address order without duplicates.
 */
export function knownPeers(mesh: MeshSpec, cluster: ClusterSpec): string[] {
  const others = workersOfOthers(mesh, cluster);
  return cluster.extraPeers.length === 0 ? others : [...new Set(others.concat(cluster.extraPeers))].sort(compareAddresses);
}

/** The other clusters' peers (their workers, as known_peers lists them), by cluster in name order: how the agent names Weave's links. */
export function peersByCluster(mesh: MeshSpec, cluster: ClusterSpec): ClusterPeers[] {
  return mesh.clusters
    .filter((other) => other.name !== cluster.name)
    .map((other) => ({ cluster: other.name, addresses: workerAddresses(other) }))
    .sort((a, b) => (a.cluster < b.cluster ? -1 : a.cluster > b.cluster ? 1 : 0));
}

/** One other cluster and its Weave peer addresses. */
export interface ClusterPeers {
  readonly cluster: string;
  readonly addresses: readonly string[];
}

/** Subnets a cluster's nodes must route over the `weave` bridge: every other cluster's, in address order. */
export function routedSubnets(mesh: MeshSpec, cluster: ClusterSpec): string[] {
  let subnets = subnetsInOrder.get(mesh);
  if (!subnets) {
    subnets = [...mesh.clusters].sort((a, b) => compareAddresses(a.subnet, b.subnet));
    subnetsInOrder.set(mesh, subnets);
  }
  // Already in order, the rule's own sort is one pass (TimSort).
  return subnetsRoutedBy(subnets, cluster.name);
}

// Like the workers: every cluster routes nearly every subnet of the mesh, so they are sorted once per mesh.
const subnetsInOrder = new WeakMap<MeshSpec, readonly ClusterSpec[]>();

/** The routing rule itself, for any list of clusters: also how plan reads routes back from rendered output. */
export function subnetsRoutedBy(clusters: readonly { readonly name: string; readonly subnet: string }[], cluster: string): string[] {
  return clusters
    .filter((other) => other.name !== cluster)
    .map((other) => other.subnet)
    .sort(compareAddresses);
}

/** The other clusters' worker addresses that are IPv4 addresses: what firewalld must trust (it takes no host names). */
export function firewalldPeers(mesh: MeshSpec, cluster: ClusterSpec): string[] {
  return workersOfOthers(mesh, cluster).filter((address) => parseIPv4Address(address).ok);
}

interface Worker {
  readonly cluster: string;
  readonly address: string;
}

// Every cluster's peers are nearly the whole mesh's workers: sort those once per mesh, not once per cluster.
const workersInOrder = new WeakMap<MeshSpec, readonly Worker[]>();

/** The other clusters' worker addresses, in address order without duplicates. */
function workersOfOthers(mesh: MeshSpec, cluster: ClusterSpec): string[] {
  let workers = workersInOrder.get(mesh);
  if (!workers) {
    workers = mesh.clusters.flatMap((each) => workerAddresses(each).map((address) => ({ cluster: each.name, address }))).sort((a, b) => compareAddresses(a.address, b.address));
    workersInOrder.set(mesh, workers);
  }
  const addresses: string[] = [];
  for (const worker of workers) {
    if (worker.cluster !== cluster.name && worker.address !== addresses[addresses.length - 1]) addresses.push(worker.address);
  }
  return addresses;
}
