/** Computing the change from one rendered state to another: clusters joining and leaving, routes, peers, renumbering. */
import { subnetsRoutedBy } from '../mesh/derive';
import { compareAddresses } from '../net/cidr';
import { FileChange, fileChanges, FileDifference } from './compare';
import { ClusterRecord, MeshState } from './plan-state';

export interface Change<T> {
  readonly from: T;
  readonly to: T;
}

/** How one cluster present before and after changes. */
export interface ClusterPlan {
  readonly cluster: string;
  readonly subnet?: Change<string>;
  readonly podNetworkCidr?: Change<string>;
  readonly routesAdded: readonly string[];
  readonly routesRemoved: readonly string[];
  readonly peersAdded: readonly string[];
  readonly peersRemoved: readonly string[];
}

export interface Plan {
  readonly clustersAdded: readonly { readonly cluster: string; readonly subnet: string }[];
  readonly clustersRemoved: readonly { readonly cluster: string; readonly subnet: string }[];
  /** Clusters present on both sides whose routes, peers or subnets change. */
  readonly clusters: readonly ClusterPlan[];
  /** Changes that renumber running pods. */
  readonly warnings: readonly string[];
  readonly files: readonly FileChange[];
}

/** The warnings of a change that renumbers running pods: a cluster's subnet or the pod network changing. */
export function renumberingWarnings(before: ReadonlyMap<string, ClusterRecord>, after: ReadonlyMap<string, ClusterRecord>): string[] {
  return [...after.keys()]
    .sort()
    .filter((cluster) => before.has(cluster))
    .flatMap((cluster) => renumbering(cluster, before.get(cluster)!, after.get(cluster)!));
}

function renumbering(cluster: string, old: ClusterRecord, current: ClusterRecord): string[] {
  return [
    ...(old.subnet !== current.subnet
      ? [`cluster ${cluster}'s subnet changes from ${old.subnet} to ${current.subnet}: this renumbers its running pods, and Weave will not hand out the new range until the old one is released`]
      : []),
    ...(old.podNetworkCidr !== current.podNetworkCidr
      ? [`the pod network of cluster ${cluster} changes from ${old.podNetworkCidr} to ${current.podNetworkCidr}: Weave cannot change IPALLOC_RANGE in place; every pod must be renumbered and Weave reset`]
      : []),
  ];
}

/** The routes a cluster's agent has in a rendered state, by the same rule that renders them. */
function routesOf(state: MeshState, cluster: string): string[] {
  return subnetsRoutedBy([...state.entries()].map(([name, { subnet }]) => ({ name, subnet })), cluster);
}

function minus(a: readonly string[], b: readonly string[]): string[] {
  return a.filter((item) => !b.includes(item)).sort(compareAddresses);
}

/** What going from `before` (the output folder) to `after` (the new render) changes in the mesh. */
export function planChanges(before: MeshState, after: MeshState, differences: readonly FileDifference[]): Plan {
  const names = (state: MeshState) => [...state.keys()].sort();
  const clustersAdded = names(after)
    .filter((name) => !before.has(name))
    .map((cluster) => ({ cluster, subnet: after.get(cluster)!.subnet }));
  const clustersRemoved = names(before)
    .filter((name) => !after.has(name))
    .map((cluster) => ({ cluster, subnet: before.get(cluster)!.subnet }));
  const clusters: ClusterPlan[] = [];
  const warnings: string[] = [];
  for (const cluster of names(after).filter((name) => before.has(name))) {
    const old = before.get(cluster)!;
    const current = after.get(cluster)!;
    const oldRoutes = routesOf(before, cluster);
    const newRoutes = routesOf(after, cluster);
    const plan: ClusterPlan = {
      cluster,
      ...(old.subnet !== current.subnet ? { subnet: { from: old.subnet, to: current.subnet } } : {}),
      ...(old.podNetworkCidr !== current.podNetworkCidr ? { podNetworkCidr: { from: old.podNetworkCidr, to: current.podNetworkCidr } } : {}),
      routesAdded: minus(newRoutes, oldRoutes),
      routesRemoved: minus(oldRoutes, newRoutes),
      peersAdded: minus(current.peers, old.peers),
      peersRemoved: minus(old.peers, current.peers),
    };
    warnings.push(...renumbering(cluster, old, current));
    const changed = plan.subnet || plan.podNetworkCidr || [plan.routesAdded, plan.routesRemoved, plan.peersAdded, plan.peersRemoved].some((list) => list.length > 0);
    if (changed) clusters.push(plan);
  }
  return { clustersAdded, clustersRemoved, clusters, warnings, files: fileChanges(differences) };
}
