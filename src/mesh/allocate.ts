import { IPv4CidrRange, IPv4Prefix } from 'ip-num';
import { cidrString, rangesOverlap } from '../net/cidr';

/**
 * The prefix length most clusters of the mesh use for their subnet (ties: the larger subnet), so a
 * new cluster gets a subnet like the others. With none to copy, a /16, or 4 bits below a smaller pod network.
 */
export function usualPrefixLength(subnets: readonly IPv4CidrRange[], podNetwork: IPv4CidrRange): number {
  const counts = new Map<number, number>();
  for (const subnet of subnets) {
    const length = Number(subnet.getPrefix().getValue());
    counts.set(length, (counts.get(length) ?? 0) + 1);
  }
  const [usual] = [...counts.entries()].sort(([lengthA, countA], [lengthB, countB]) => countB - countA || lengthA - lengthB);
  if (usual) return usual[0];
  return Math.min(30, Math.max(16, Number(podNetwork.getPrefix().getValue()) + 4));
}

/**
 * The lowest subnet of `prefixLength` inside `podNetwork` that overlaps none of `used`, or undefined
 * when the pod network is full. Never returns a subnet in use, so allocation never moves a cluster.
 */
export function lowestFreeSubnet(podNetwork: IPv4CidrRange, used: readonly IPv4CidrRange[], prefixLength: number): IPv4CidrRange | undefined {
  if (prefixLength < Number(podNetwork.getPrefix().getValue()) || prefixLength > 32) return undefined;
  let candidate: IPv4CidrRange | undefined = new IPv4CidrRange(podNetwork.getFirst(), IPv4Prefix.fromNumber(BigInt(prefixLength)));
  while (candidate && podNetwork.contains(candidate)) {
    const current: IPv4CidrRange = candidate;
    if (!used.some((subnet) => rangesOverlap(subnet, current))) return current;
    candidate = current.nextRange();
  }
  return undefined;
}

/** Suggested subnets for clusters that have none, in the order given; each suggestion counts as used for the next. */
export function suggestSubnets(podNetwork: IPv4CidrRange, used: readonly IPv4CidrRange[], clusters: readonly string[]): Map<string, string | undefined> {
  const prefixLength = usualPrefixLength(used, podNetwork);
  const taken = [...used];
  const suggestions = new Map<string, string | undefined>();
  for (const cluster of clusters) {
    const subnet = lowestFreeSubnet(podNetwork, taken, prefixLength);
    if (subnet) taken.push(subnet);
    suggestions.set(cluster, subnet ? cidrString(subnet) : undefined);
  }
  return suggestions;
}
