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
  let all = peersInOrder.get(mesh);
  if (!all) {
    all = meshPeers(mesh);
    peersInOrder.set(mesh, all);
  }
  // The same object for a cluster in every other cluster's list: what is rendered from it is rendered once (route-agent-script.ts).
  return all.filter((peers) => peers.cluster !== cluster.name);
}

// Every cluster's list is the whole mesh's but for itself: built once per mesh.
const peersInOrder = new WeakMap<MeshSpec, readonly ClusterPeers[]>();

/** Each cluster's peers, in name order, with the private addresses that name one of its workers alone. */
function meshPeers(mesh: MeshSpec): ClusterPeers[] {
  // A private address names a worker only when nothing else in the mesh has it: clusters in separate
  // networks often reuse the same private range (10.0.0.5 in two clouds), and a local node's connection
  // from such an address must not count as a link to the other cluster.
  const uses = new Map<string, number>();
  const count = (address: string): void => {
    uses.set(address, (uses.get(address) ?? 0) + 1);
  };
  // A host whose private address is given as an interface (Pharos reads its address on the host) or
  // as a host name has a private IP address the inventory does not name, and any other host's private
  // address may be it: then none is known to be unique.
  const unnamed = mesh.clusters.some((each) => each.hosts.some((host) => host.privateInterface !== undefined || (host.privateAddress !== undefined && !parseIPv4Address(host.privateAddress).ok)));
  for (const each of mesh.clusters) {
    for (const host of each.hosts) {
      count(host.address);
      if (host.privateAddress !== undefined && host.privateAddress !== host.address) count(host.privateAddress);
    }
    for (const peer of each.extraPeers) count(peer);
  }
  return [...mesh.clusters]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((other) => {
      const workers = other.hosts.filter((host) => host.role === 'worker');
      const privateAddresses = workers
        .filter((host) => !unnamed && host.privateAddress !== undefined && host.privateAddress !== host.address && uses.get(host.privateAddress) === 1 && parseIPv4Address(host.privateAddress).ok)
        .map((host) => ({ privateAddress: host.privateAddress!, address: host.address }));
      // Frozen, so that what the route agent renders from it can be kept (route-agent-script.ts).
      const peers: ClusterPeers = Object.freeze({
        cluster: other.name,
        addresses: Object.freeze(workers.map((host) => host.address)),
        ...(privateAddresses.length > 0 ? { privateAddresses: Object.freeze(privateAddresses.map((pair) => Object.freeze(pair))) } : {}),
      });
      meshBuilt.add(peers);
      return peers;
    });
}

const meshBuilt = new WeakSet<ClusterPeers>();

/** Whether `peers` is one peersByCluster built: frozen, so anything derived from it stays true. */
export function isMeshPeers(peers: ClusterPeers): boolean {
  return meshBuilt.has(peers);
}

/** One other cluster and its Weave peer addresses. */
export interface ClusterPeers {
  /** The cluster's name. */
  readonly cluster: string;
  /** Its workers' addresses (IPv4 addresses or host names), as known_peers lists them: the links expected. */
  readonly addresses: readonly string[];
  /**
   * IPv4 addresses its workers may connect from instead (their `private_address`, when two clusters
   * share a network), each with the worker's address in `addresses`: a connection from one counts as
   * a link to that worker.
   * @default - none
   */
  readonly privateAddresses?: readonly PrivatePeerAddress[];
}

/** A worker's private address and its address as known_peers lists it. */
export interface PrivatePeerAddress {
  readonly privateAddress: string;
  readonly address: string;
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
