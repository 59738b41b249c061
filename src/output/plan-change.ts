/** Computing the change from one rendered state to another: clusters joining and leaving, routes, peers, renumbering. */
import { subnetsRoutedBy } from '../mesh/derive';
import { compareAddresses } from '../net/cidr';
import { FileChange, fileChanges, FileDifference } from './compare';
import { ClusterRecord, ClusterState, MeshState, peersTextOf } from './plan-state';

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

/**
 * A cluster that leaves under one name while one with the same hosts, subnet and pod network joins
 * under another (`git mv clusters/b.yml clusters/z.yml`): its nodes stay in the mesh.
 */
export interface ClusterRename {
  readonly from: string;
  readonly to: string;
  readonly subnet: string;
}

export interface Plan {
  readonly clustersAdded: readonly { readonly cluster: string; readonly subnet: string }[];
  readonly clustersRemoved: readonly { readonly cluster: string; readonly subnet: string }[];
  /** Clusters renamed: neither in clustersAdded nor in clustersRemoved. */
  readonly clustersRenamed: readonly ClusterRename[];
  /** Clusters present on both sides whose routes, peers or subnets change. */
  readonly clusters: readonly ClusterPlan[];
  /** Changes that renumber running pods. */
  readonly warnings: readonly string[];
  readonly files: readonly FileChange[];
}

/** A change that renumbers a running cluster's pods: its subnet or the pod network changing. */
export interface Renumbering {
  readonly cluster: string;
  /** The field of the cluster's cluster.yml that changes. */
  readonly path: readonly string[];
  /** What changes, as a plan's warning opens: `cluster cluster-c's subnet`. */
  readonly subject: string;
  /** The change, what it costs and the remedy when it was not meant: `changes from A to B: ...; if ...`. */
  readonly change: string;
}

/** The changes that renumber running pods, in cluster order. */
export function renumberings(before: ReadonlyMap<string, ClusterRecord>, after: ReadonlyMap<string, ClusterRecord>): Renumbering[] {
  return [...after.keys()]
    .sort()
    .filter((cluster) => before.has(cluster))
    .flatMap((cluster) => renumbering(cluster, before.get(cluster)!, after.get(cluster)!));
}

/** The warnings of a change that renumbers running pods, as plan prints them. */
export function renumberingWarnings(before: ReadonlyMap<string, ClusterRecord>, after: ReadonlyMap<string, ClusterRecord>): string[] {
  return renumberings(before, after).map(({ subject, change }) => `${subject} ${change}`);
}

function renumbering(cluster: string, old: ClusterRecord, current: ClusterRecord): Renumbering[] {
  return [
    ...(old.subnet !== current.subnet
      ? [
          {
            cluster,
            path: ['network', 'weave', 'ipalloc_default_subnet'],
            subject: `cluster ${cluster}'s subnet`,
            change: `changes from ${old.subnet} to ${current.subnet}: this renumbers its running pods, and Weave will not hand out the new range until the old one is released; if that is not meant, put back ipalloc_default_subnet: ${old.subnet}, the subnet its running pods have (the output folder records it)`,
          },
        ]
      : []),
    ...(old.podNetworkCidr !== current.podNetworkCidr
      ? [
          {
            cluster,
            path: ['network', 'pod_network_cidr'],
            subject: `the pod network of cluster ${cluster}`,
            change: `changes from ${old.podNetworkCidr} to ${current.podNetworkCidr}: Weave cannot change IPALLOC_RANGE in place; every pod must be renumbered and Weave reset; if that is not meant, put back pod_network_cidr: ${old.podNetworkCidr}`,
          },
        ]
      : []),
  ];
}

/** The routes a cluster's agent has in a rendered state, by the same rule that renders them. */
function routesOf(state: MeshState, cluster: string): string[] {
  return subnetsRoutedBy(
    [...state.entries()].map(([name, { subnet }]) => ({ name, subnet })),
    cluster,
  );
}

/** The items of `a` not in `b`, in address order (a Set: 2,000 peers per cluster, 256 clusters). */
function minus(a: readonly string[], b: readonly string[]): string[] {
  const other = new Set(b);
  return a.filter((item) => !other.has(item)).sort(compareAddresses);
}

/** The peers gained and lost; read as lines and equal, nothing is split (a 256-cluster mesh: 2,000 peers a file). */
function peerChanges(old: ClusterState, current: ClusterState): { peersAdded: string[]; peersRemoved: string[] } {
  const text = peersTextOf(old);
  if (text !== undefined && text === peersTextOf(current)) return { peersAdded: [], peersRemoved: [] };
  const [before, after] = [old.peers, current.peers];
  return { peersAdded: minus(after, before), peersRemoved: minus(before, after) };
}

/** The host addresses of a cluster on one side, for telling a rename from a leave and a join. */
export type NodesOf = (side: 'before' | 'after', cluster: string) => readonly string[];

/**
 * The renames among clusters leaving and joining: the same subnet, pod network and host addresses
 * (as a set, at least one) under another name. Each leaving cluster pairs with one joining cluster.
 */
export function renamesOf(before: MeshState, after: MeshState, leaving: readonly string[], joining: readonly string[], nodesOf: NodesOf): ClusterRename[] {
  const renames: ClusterRename[] = [];
  // Reading hosts parses a cluster.yml: only when a cluster leaves while another joins.
  if (leaving.length === 0 || joining.length === 0) return renames;
  const taken = new Set<string>();
  const key = (nodes: readonly string[]) => [...new Set(nodes)].sort().join(' ');
  for (const from of leaving) {
    const old = before.get(from)!;
    const nodes = key(nodesOf('before', from));
    if (nodes === '') continue;
    const to = joining.find((candidate) => {
      const current = after.get(candidate)!;
      return !taken.has(candidate) && current.subnet === old.subnet && current.podNetworkCidr === old.podNetworkCidr && key(nodesOf('after', candidate)) === nodes;
    });
    if (to === undefined) continue;
    taken.add(to);
    renames.push({ from, to, subnet: old.subnet });
  }
  return renames;
}

/** What going from `before` (the output folder) to `after` (the new render) changes in the mesh. */
export function planChanges(before: MeshState, after: MeshState, differences: readonly FileDifference[], nodesOf: NodesOf = () => []): Plan {
  const names = (state: MeshState) => [...state.keys()].sort();
  const joining = names(after).filter((name) => !before.has(name));
  const leaving = names(before).filter((name) => !after.has(name));
  const clustersRenamed = renamesOf(before, after, leaving, joining, nodesOf);
  const renamedFrom = new Set(clustersRenamed.map(({ from }) => from));
  const renamedTo = new Set(clustersRenamed.map(({ to }) => to));
  const clustersAdded = joining.filter((name) => !renamedTo.has(name)).map((cluster) => ({ cluster, subnet: after.get(cluster)!.subnet }));
  const clustersRemoved = leaving.filter((name) => !renamedFrom.has(name)).map((cluster) => ({ cluster, subnet: before.get(cluster)!.subnet }));
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
      ...peerChanges(old, current),
    };
    warnings.push(...renumbering(cluster, old, current).map(({ subject, change }) => `${subject} ${change}`));
    const changed = plan.subnet || plan.podNetworkCidr || [plan.routesAdded, plan.routesRemoved, plan.peersAdded, plan.peersRemoved].some((list) => list.length > 0);
    if (changed) clusters.push(plan);
  }
  return { clustersAdded, clustersRemoved, clustersRenamed, clusters, warnings, files: fileChanges(differences) };
}

/** Clusters whose change is the same (subnet, pod network, routes and peers gained and lost), with that change. */
export interface ClusterGroup {
  readonly clusters: readonly string[];
  readonly change: Omit<ClusterPlan, 'cluster'>;
}

/** Fewer clusters than this with the same change are shown one by one (two lines read better than a group). */
export const GROUP_MIN = 3;

/**
 * The clusters' changes with identical ones together (GROUP_MIN or more), in the order of their first
 * cluster: one worker added to a 256-cluster mesh is one line for the 255 others ("255 clusters: peers
 * + 100.64.0.99").
 */
export function groupChanges(clusters: readonly ClusterPlan[]): ClusterGroup[] {
  const groups = new Map<string, { clusters: string[]; change: Omit<ClusterPlan, 'cluster'> }>();
  for (const { cluster, ...change } of clusters) {
    const key = JSON.stringify(change);
    const group = groups.get(key);
    if (group) group.clusters.push(cluster);
    else groups.set(key, { clusters: [cluster], change });
  }
  return [...groups.values()].flatMap((group) => (group.clusters.length >= GROUP_MIN ? [group] : group.clusters.map((cluster) => ({ clusters: [cluster], change: group.change }))));
}
