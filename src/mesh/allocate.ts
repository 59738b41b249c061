import { IPv4CidrRange, IPv4Prefix } from 'ip-num';
import { Cidr } from '../net/cidr';

/**
 * The prefix length most clusters of the mesh use for their subnet (ties: the larger subnet), so a
 * new cluster gets a subnet like the others. With none to copy, a /16, or 4 bits below a smaller pod network.
 */
export function usualPrefixLength(subnets: readonly Cidr[], podNetwork: Cidr): number {
  const counts = new Map<number, number>();
  for (const subnet of subnets) counts.set(subnet.prefixLength, (counts.get(subnet.prefixLength) ?? 0) + 1);
  const [usual] = [...counts.entries()].sort(([lengthA, countA], [lengthB, countB]) => countB - countA || lengthA - lengthB);
  if (usual) return usual[0];
  return Math.min(30, Math.max(16, podNetwork.prefixLength + 4));
}

/**
 * The lowest subnet of `prefixLength` inside `podNetwork` that overlaps none of `used`, or undefined
 * when the pod network is full. Never returns a subnet in use, so allocation never moves a cluster.
 */
export function lowestFreeSubnet(podNetwork: Cidr, used: readonly Cidr[], prefixLength: number): Cidr | undefined {
  if (prefixLength < podNetwork.prefixLength || prefixLength > 32) return undefined;
  let candidate: Cidr | undefined = new Cidr(new IPv4CidrRange(podNetwork.range.getFirst(), IPv4Prefix.fromNumber(BigInt(prefixLength))));
  while (candidate && podNetwork.contains(candidate)) {
    const current: Cidr = candidate;
    if (!used.some((subnet) => subnet.overlaps(current))) return current;
    candidate = current.next();
  }
  return undefined;
}

/** Suggested subnets for clusters that have none, in the order given; each suggestion counts as used for the next. */
export function suggestSubnets(podNetwork: Cidr, used: readonly Cidr[], clusters: readonly string[]): Map<string, string | undefined> {
  const prefixLength = usualPrefixLength(used, podNetwork);
  const taken = [...used];
  const suggestions = new Map<string, string | undefined>();
  for (const cluster of clusters) {
    const subnet = lowestFreeSubnet(podNetwork, taken, prefixLength);
    if (subnet) taken.push(subnet);
    suggestions.set(cluster, subnet?.text);
  }
  return suggestions;
}
