import { Address, Cidr } from '../net/cidr';
import { suggestSubnets } from './allocate';
import { FieldPath, formatFieldPath } from './declaration';
import { HostSpec } from './model';
import { RuleId } from './rule-ids';

/**
 * The mesh rules: each a small pure function from the clusters as read (drafts) to the violations it
 * finds. They know nothing of files or constructs; `validate.ts` locates each violation in its
 * cluster's declaration.
 */

/** A value read from a cluster together with where it stands in the cluster's config. */
export interface Located<T> {
  readonly text: string;
  readonly value: T;
  readonly path: FieldPath;
  /** What makes two values the same, when not their text (a password path resolved from its file's folder). */
  readonly key?: string;
  /** True when the cluster does not set it and Pharos's default applies. */
  readonly defaulted?: boolean;
}

export interface HostDraft extends HostSpec {
  /** The parsed address; undefined when the address is a host name. */
  readonly ip?: Address;
  /** The parsed private address, when it is an IPv4 address. */
  readonly privateIp?: Located<Address>;
  /** The SSH port, for Pharos's address:ssh_port rule. */
  readonly sshPort: number;
  readonly path: FieldPath;
}

/** What could be read from one cluster; a field is undefined when it was missing or invalid (already reported). */
export interface ClusterDraft {
  readonly name: string;
  readonly hosts: readonly HostDraft[];
  readonly serviceCidr?: Located<Cidr>;
  readonly podNetworkCidr?: Located<Cidr>;
  readonly subnet?: Located<Cidr>;
  /** True when `ipalloc_default_subnet` is absent, which `allocate` can fix. */
  readonly subnetMissing?: boolean;
  readonly passwordFile?: Located<string>;
  /** Whether a host has role master; undefined when the hosts could not be read (already reported). */
  readonly hasMaster?: boolean;
  /** `network.weave.known_peers` as written: peers outside the inventory. */
  readonly extraPeers: readonly Located<Address | undefined>[];
  /** True when `network.firewalld.enabled` is true: the other clusters' peers must then be trusted by address. */
  readonly firewalld?: boolean;
  /** The top-level `name:` (Pharos's cluster name), when set. */
  readonly declaredName?: Located<string>;
  /** `network.weave.trusted_subnets` that are valid CIDRs: Weave sends unencrypted to peers in them. @default [] */
  readonly trustedSubnets?: readonly Located<Cidr>[];
}

/** One rule broken by one cluster. `path` undefined: the cluster as a whole (its name). */
export interface Violation {
  readonly cluster: string;
  readonly path?: FieldPath;
  readonly message: string;
  readonly severity: 'error' | 'warning';
  readonly rule: RuleId;
  /** True when the problem is the key at `path` itself (an unknown key): located at the key, not its value. */
  readonly atKey?: boolean;
}

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Weave Net's ipam/allocator.go: MinSubnetSize = 4 addresses, so /30 is the longest prefix it takes. */
export const WEAVE_SMALLEST_SUBNET = 30;

function error(cluster: string, path: FieldPath | undefined, rule: RuleId, message: string): Violation {
  return { cluster, path, message, severity: 'error', rule };
}

/** How a front-end words a cluster's name: where it comes from and how to change it. */
export interface NameWording {
  /** Such as `the file name gives the cluster name`. */
  readonly subject: string;
  /** Such as `rename the file to`. */
  readonly fix: string;
  /** Such as `cluster-a.yml`. */
  readonly example: string;
}

/**
 * Argo CD names each cluster's Application `weave-mesh-<cluster>` (constructs/argo-cd-application-set.ts),
 * and labels everything it deploys with that name (`app.kubernetes.io/instance`, Argo CD's default
 * tracking label), whose value Kubernetes limits to 63 characters.
 */
export const ARGOCD_APPLICATION_PREFIX = 'weave-mesh-';

/** The longest cluster name whose Argo CD Application name still fits a label value: 63 - 11 = 52. */
export const MAX_CLUSTER_NAME = 63 - ARGOCD_APPLICATION_PREFIX.length;

/**
 * Cluster names are DNS-1123 labels of at most MAX_CLUSTER_NAME characters: they name folders, Flux
 * paths, and Argo CD Applications whose name is also a label value.
 */
export function clusterNames(drafts: readonly ClusterDraft[], wording: (cluster: string) => NameWording): Violation[] {
  return drafts
    .filter(({ name }) => name.length > MAX_CLUSTER_NAME || !DNS1123_LABEL.test(name))
    .map(({ name, declaredName }) => {
      const { subject, fix, example } = wording(name);
      if (DNS1123_LABEL.test(name) && name.length <= 63) {
        // A valid label, too long for the Application name built from it: where `name:` says it too, point there.
        return error(
          name,
          declaredName?.text === name ? declaredName.path : undefined,
          'cluster-name',
          `${subject} ${JSON.stringify(name)}, which has ${name.length} characters; at most ${MAX_CLUSTER_NAME} fit, because Argo CD names the cluster's Application ${ARGOCD_APPLICATION_PREFIX}<cluster> and labels what it deploys with that name (app.kubernetes.io/instance), and a Kubernetes label value holds at most 63 characters; ${fix} a name of at most ${MAX_CLUSTER_NAME} characters, such as ${example}`,
        );
      }
      return error(
        name,
        undefined,
        'cluster-name',
        `${subject} ${JSON.stringify(name)}, which is not a DNS-1123 label; ${fix} lower-case letters, digits and '-' (at most ${MAX_CLUSTER_NAME} characters, starting and ending with a letter or digit), such as ${example}`,
      );
    });
}

/** Clusters grouped by the value of one field, the largest group first (ties: the group seen first, in name order). */
export function groupByValue<T>(drafts: readonly ClusterDraft[], pick: (draft: ClusterDraft) => Located<T> | undefined): { field: Located<T>; drafts: ClusterDraft[] }[] {
  const groups = new Map<string, { field: Located<T>; drafts: ClusterDraft[] }>();
  for (const draft of drafts) {
    const field = pick(draft);
    if (!field) continue;
    const key = field.key ?? field.text;
    const group = groups.get(key) ?? { field, drafts: [] };
    group.drafts.push(draft);
    groups.set(key, group);
  }
  return [...groups.values()].sort((a, b) => b.drafts.length - a.drafts.length);
}

/**
 * A field that must be equal in every cluster. The value most clusters use is taken as the
 * intended one, and every other cluster is reported.
 */
export function sameEverywhere<T>(drafts: readonly ClusterDraft[], pick: (draft: ClusterDraft) => Located<T> | undefined, what: string, rule: RuleId): Violation[] {
  const [majority, ...others] = groupByValue(drafts, pick);
  const names = majority?.drafts.map((holder) => holder.name).join(', ');
  return others
    .flatMap((group) => group.drafts)
    .map((draft) => {
      const field = pick(draft)!;
      const verb = majority.drafts.length === 1 ? 'uses' : 'use';
      const shown = (located: Located<T>) => `${located.text}${located.defaulted ? " (Pharos's default)" : ''}`;
      return error(draft.name, field.path, rule, `is ${shown(field)}, but ${names} ${verb} ${shown(majority.field)}; the ${what} must be the same in every cluster of the mesh`);
    });
}

/** The pod network is the same everywhere: Weave refuses to join ranges that differ ("Incompatible IP allocation ranges"). */
export function samePodNetwork(drafts: readonly ClusterDraft[]): Violation[] {
  return sameEverywhere(drafts, (draft) => draft.podNetworkCidr, 'pod_network_cidr', 'same-pod-network');
}

/** The Weave password file is the same everywhere, once resolved from each file's folder: peers with different secrets never connect. */
export function samePassword(drafts: readonly ClusterDraft[]): Violation[] {
  return sameEverywhere(drafts, (draft) => draft.passwordFile, 'Weave password file', 'same-password');
}

/**
 * `known_peers` holds only peers outside the inventory: not the cluster's own hosts (Weave finds
 * them itself), not another cluster's workers (derived), not twice, and not a pod or service address.
 */
export function extraPeers(drafts: readonly ClusterDraft[], describe: (cluster: string) => string): Violation[] {
  const workers = new Map<string, ClusterDraft>();
  for (const draft of drafts) for (const host of draft.hosts) if (host.role === 'worker') workers.set(host.address.toLowerCase(), draft);
  const ranges = reservedRanges(drafts);
  return drafts.flatMap((draft) => {
    const seen = new Set<string>();
    return draft.extraPeers.flatMap((peer): Violation[] => {
      const key = peer.text.toLowerCase();
      const at = (message: string) => [error(draft.name, peer.path, 'known-peers', message)];
      if (seen.has(key)) return at(`${peer.text} is listed twice; list each peer once`);
      seen.add(key);
      if (draft.hosts.some((host) => host.address.toLowerCase() === key)) return at(`${peer.text} is a host of this cluster, which Weave finds by itself; list only peers outside the inventory`);
      const owner = workers.get(key);
      if (owner) return at(`${peer.text} is a worker of cluster ${owner.name} (${describe(owner.name)}), which weave-mesh adds to known_peers itself; remove it`);
      const inside = peer.value && ranges.find(({ range }) => range.contains(peer.value!));
      return inside ? at(`${peer.text} lies inside ${inside.what}; a Weave peer is a node address, outside every pod and service range`) : [];
    });
  });
}

/** Pharos refuses a cluster without a master: "No master hosts defined" (lib/pharos/command_options/load_config.rb). */
export function masters(drafts: readonly ClusterDraft[]): Violation[] {
  return drafts.filter((draft) => draft.hasMaster === false).map((draft) => error(draft.name, ['hosts'], 'pharos-master', 'has no master; Pharos refuses a cluster without one ("No master hosts defined"); add a host with role: master'));
}

/**
 * With firewalld, Pharos trusts only addresses and CIDRs (configure_firewalld.rb, trusted_addresses):
 * another cluster's worker known by host name cannot be trusted, and its Weave connections are blocked.
 */
export function firewalldHostNames(drafts: readonly ClusterDraft[]): Violation[] {
  return drafts
    .filter((draft) => draft.firewalld)
    .flatMap((draft) =>
      drafts
        .filter((other) => other !== draft)
        .flatMap((other) => other.hosts.filter((host) => host.role === 'worker' && !host.ip).map((host) => ({ other, host })))
        .map(({ other, host }) => ({
          cluster: draft.name,
          path: ['network', 'firewalld'],
          severity: 'warning' as const,
          rule: 'firewalld-host-name',
          message: `firewalld takes no host names, so the Weave peer ${host.address} of cluster ${other.name} is not added to trusted_subnets and its connections are blocked; give that worker an IPv4 address, or trust its address yourself in trusted_subnets`,
        })),
    );
}

/** Pharos's `name:` is the cluster's name; weave-mesh names clusters by their file, so the two must agree. */
export function declaredNames(drafts: readonly ClusterDraft[]): Violation[] {
  return drafts
    .filter((draft) => draft.declaredName && draft.declaredName.text !== draft.name)
    .map((draft) =>
      error(
        draft.name,
        draft.declaredName!.path,
        'pharos-name',
        `is ${JSON.stringify(draft.declaredName!.text)}, but the cluster is ${draft.name}; Pharos names the cluster by name: and weave-mesh by its file, so set name: ${draft.name} or remove it (renaming a running cluster needs pharos up --force)`,
      ),
    );
}

/** Pharos refuses two hosts of a cluster with the same address and SSH port (config_schema.rb, unique_addresses?). */
export function uniqueAddressPorts(drafts: readonly ClusterDraft[]): Violation[] {
  return drafts.flatMap((draft) => {
    const seen = new Map<string, HostDraft>();
    return draft.hosts.flatMap((host) => {
      const key = `${host.address.toLowerCase()}:${host.sshPort}`;
      const first = seen.get(key);
      if (!first) {
        seen.set(key, host);
        return [];
      }
      return [error(draft.name, host.path, 'pharos-unique-address', `${key} is also the address and SSH port of ${formatFieldPath(first.path.slice(0, 2))}; Pharos refuses duplicate address:ssh_port`)];
    });
  });
}

/** Each cluster's subnet: at least Weave's minimum size, inside the pod network, not all of it, overlapping no other's. */
export function subnets(drafts: readonly ClusterDraft[], describe: (cluster: string) => string, allocate?: (cluster: string) => string | undefined): Violation[] {
  const violations: Violation[] = [];
  const placed: { draft: ClusterDraft; subnet: Located<Cidr> }[] = [];
  for (const draft of drafts) {
    const { subnet, podNetworkCidr } = draft;
    if (!subnet) continue;
    const hint = allocate?.(draft.name);
    const fix = hint ? `; ${hint}` : '';
    const at = (rule: RuleId, message: string) => violations.push(error(draft.name, subnet.path, rule, message));
    if (subnet.value.prefixLength > WEAVE_SMALLEST_SUBNET) {
      at('subnet-size', `${subnet.text} is smaller than Weave allows: Weave refuses a subnet of fewer than 4 addresses (MinSubnetSize), so ipalloc_default_subnet must be a /${WEAVE_SMALLEST_SUBNET} or larger${fix}`);
    }
    if (podNetworkCidr && !podNetworkCidr.value.contains(subnet.value)) {
      at('subnet-inside-pod-network', `${subnet.text} is not inside pod_network_cidr ${podNetworkCidr.text}; choose a subnet inside it${fix}`);
    }
    if (podNetworkCidr && subnet.text === podNetworkCidr.text) {
      at('subnet-inside-pod-network', `${subnet.text} is the whole pod network; give each cluster a smaller subnet inside ${podNetworkCidr.text}, such as a /16`);
    }
    for (const other of placed) {
      if (subnet.value.overlaps(other.subnet.value)) {
        at('subnet-overlap', `${subnet.text} overlaps ${other.subnet.text} of cluster ${other.draft.name} (${describe(other.draft.name)}); every cluster needs a subnet of its own${fix}`);
      }
    }
    placed.push({ draft, subnet });
  }
  return violations;
}

/**
 * Each cluster without a subnet, with the fix: the subnet the output folder records for it (a
 * running cluster keeps its pods' addresses), else the lowest free one of the mesh's usual size,
 * never one in use or recorded for another cluster.
 */
export function missingSubnets(
  drafts: readonly ClusterDraft[],
  recorded: ReadonlyMap<string, Cidr> = new Map(),
  /** True for a cluster declared in code: its fix is a value to set, not `npm run allocate` (an app has no such script, nor a file to write). */
  inCode: (cluster: string) => boolean = () => false,
): { violations: Violation[]; suggestions: Map<string, string> } {
  const missing = drafts.filter((draft) => draft.subnetMissing);
  const suggestions = new Map<string, string>();
  if (missing.length === 0) return { violations: [], suggestions };
  const podNetwork = groupByValue(drafts, (draft) => draft.podNetworkCidr)[0]?.field;
  const used = [...drafts.flatMap((draft) => (draft.subnet ? [draft.subnet.value] : [])), ...recorded.values()];
  const fresh = missing.filter((draft) => !recorded.has(draft.name)).map((draft) => draft.name);
  const suggested = podNetwork ? suggestSubnets(podNetwork.value, used, fresh) : new Map<string, string | undefined>();
  const violations = missing.map((draft) => {
    const restored = recorded.get(draft.name)?.text;
    const subnet = restored ?? suggested.get(draft.name);
    if (subnet) suggestions.set(draft.name, subnet);
    const hint = inCode(draft.name)
      ? restored
        ? `the output folder records ${restored} for this cluster, the subnet its running pods have; set network.weave.ipalloc_default_subnet: '${restored}'`
        : subnet
          ? `set network.weave.ipalloc_default_subnet: '${subnet}', the lowest free subnet of the mesh's usual size`
          : podNetwork
            ? `pod_network_cidr ${podNetwork.text} has no free subnet of the mesh's usual size left`
            : 'give this cluster its own subnet inside pod_network_cidr'
      : restored
        ? `the output folder records ${restored} for this cluster, the subnet its running pods have; npm run allocate -- ${draft.name} writes it back into the file`
        : subnet
          ? `the lowest free subnet of the mesh's usual size is ${subnet}; npm run allocate -- ${draft.name} writes it into the file`
          : podNetwork
            ? `pod_network_cidr ${podNetwork.text} has no free subnet of the mesh's usual size left`
            : 'give this cluster its own subnet inside pod_network_cidr';
    return error(draft.name, ['network', 'weave', 'ipalloc_default_subnet'], 'missing-subnet', `is missing; every cluster needs its own subnet inside pod_network_cidr: ${hint}`);
  });
  return { violations, suggestions };
}

/** `a, b, c and 7 more`: a list that stays one readable line however many clusters it names. */
function someOf(names: readonly string[], shown = 5): string {
  if (names.length <= shown) return names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
  return `${names.slice(0, shown).join(', ')} and ${names.length - shown} more`;
}

/**
 * Service CIDRs stay out of the pod network. Clusters whose service CIDRs overlap get a warning,
 * one per group rather than one per pair: 300 clusters sharing one CIDR are one line, not 44,850.
 */
export function serviceCidrs(drafts: readonly ClusterDraft[]): Violation[] {
  const violations: Violation[] = [];
  for (const draft of drafts) {
    const { serviceCidr, podNetworkCidr } = draft;
    if (serviceCidr && podNetworkCidr && serviceCidr.value.overlaps(podNetworkCidr.value)) {
      violations.push(error(draft.name, serviceCidr.path, 'service-cidr', `${serviceCidr.text} overlaps pod_network_cidr ${podNetworkCidr.text}; service and pod addresses must not collide`));
    }
  }
  // Groups of clusters with the same service CIDR, in the order they come.
  const groups = groupByValue(drafts, (draft) => draft.serviceCidr).sort((a, b) => drafts.indexOf(a.drafts[0]) - drafts.indexOf(b.drafts[0]));
  const warn = (at: ClusterDraft, message: string) =>
    violations.push({ cluster: at.name, path: at.serviceCidr!.path, rule: 'shared-service-cidr', severity: 'warning', message: `${message}; that works, but a service IP then means different services in those clusters` });
  groups.forEach((group, index) => {
    const [first, second] = group.drafts;
    if (second) warn(second, `${group.field.text} is also the service CIDR of ${someOf(group.drafts.filter((draft) => draft !== second).map((draft) => `cluster ${draft.name}`))}`);
    const overlapping = groups.slice(0, index).filter((earlier) => earlier.field.value.overlaps(group.field.value));
    if (overlapping.length > 0) {
      warn(
        first,
        `${group.field.text} overlaps the service CIDR ${someOf(
          overlapping.map(
            (earlier) =>
              `${earlier.field.text} of ${someOf(
                earlier.drafts.map((draft) => `cluster ${draft.name}`),
                2,
              )}`,
          ),
          3,
        )}`,
      );
    }
  });
  return violations;
}

/** Weave's mesh gives every peer a 12-bit short ID: "this does limit us to 4096 peers" (weaveworks/mesh, peer.go). */
export const WEAVE_MAX_PEERS = 4096;

/**
 * The pod and service ranges no node or peer address may lie in, in cluster order, each named as the
 * first cluster that names it. Every cluster names the shared pod network, and often the same service
 * CIDR: an address is checked against each distinct range once, not against every cluster's copy (at
 * 256 clusters of 8 workers, 2.4 million checks).
 */
function reservedRanges(drafts: readonly ClusterDraft[]): { range: Cidr; what: string }[] {
  const firstNamed = new Map<string, { range: Cidr; what: string }>();
  for (const draft of drafts) {
    const { podNetworkCidr: pod, serviceCidr: service } = draft;
    if (pod && !firstNamed.has(pod.value.text)) firstNamed.set(pod.value.text, { range: pod.value, what: `the pod network ${pod.text}` });
    if (service && !firstNamed.has(service.value.text)) firstNamed.set(service.value.text, { range: service.value, what: `the service CIDR ${service.text} of cluster ${draft.name}` });
  }
  return [...firstNamed.values()];
}

/** Host addresses are unique across the mesh and outside every pod and service range. */
export function hostAddresses(drafts: readonly ClusterDraft[], describe: (cluster: string) => string): Violation[] {
  const violations: Violation[] = [];
  const owners = new Map<string, ClusterDraft>();
  const reserved = reservedRanges(drafts);
  for (const draft of drafts) {
    for (const host of draft.hosts) {
      // Inside one cluster, Pharos's address:ssh_port rule decides (hosts behind one NAT address share it).
      const owner = owners.get(host.address.toLowerCase());
      if (owner && owner !== draft) {
        violations.push(error(draft.name, host.path, 'unique-host-address', `${host.address} is also the address of a host of cluster ${owner.name} (${describe(owner.name)}); host addresses must be unique across the mesh`));
      } else if (!owner) {
        owners.set(host.address.toLowerCase(), draft);
      }
      // The pod network is shared by all clusters: report the first range hit, not one line per cluster.
      for (const [address, path] of [
        [host.ip, host.path],
        [host.privateIp?.value, host.privateIp?.path],
      ] as const) {
        const inside = address && reserved.find(({ range }) => range.contains(address));
        if (inside && path) {
          violations.push(error(draft.name, path, 'host-outside-pod-network', `${address.text} lies inside ${inside.what}; node addresses must be outside every pod and service range`));
        }
      }
    }
  }
  return violations;
}

/**
 * Weave skips encryption on a connection when BOTH ends trust each other: each end asks whether the
 * other's TCP address lies in its `--trusted-subnets` (vendor/github.com/weaveworks/mesh/router.go:283-295
 * at weaveworks/weave v2.6.5, `trusts`), tells the other (connection.go:267, the "Trusted" feature;
 * read back at connection.go:300-307), and only an `untrusted()` connection (connection.go:451-455)
 * hands the negotiated session key to the overlay (connection.go:197-201). Without that key fastdp
 * sets up no IPsec ESP (router/fastdp.go:663) and sleeve no NaCl crypto (router/sleeve.go:394).
 * Weave's documentation says the same (site/tasks/manage/security-untrusted-networks.md:41-43).
 * Pharos passes `network.weave.trusted_subnets` as `--trusted-subnets` (configure_weave.rb, extra_args).
 *
 * Across the mesh every host of another cluster is a Weave peer this cluster's nodes talk to: its
 * workers are in known_peers, and its masters connect to this cluster's workers from their address.
 * So a trusted subnet that covers another cluster's host addresses is meant for a private network,
 * and turns encryption off across whatever lies between the clusters once that cluster trusts back.
 */
export function trustedSubnetPeers(drafts: readonly ClusterDraft[]): Violation[] {
  const trustedBy = (draft: ClusterDraft, other: ClusterDraft) => (draft.trustedSubnets ?? []).some((subnet) => other.hosts.some((host) => host.ip && subnet.value.contains(host.ip)));
  return drafts.flatMap((draft) =>
    (draft.trustedSubnets ?? []).flatMap((subnet): Violation[] => {
      const covered = drafts.filter((other) => other !== draft && other.hosts.some((host) => host.ip && subnet.value.contains(host.ip)));
      if (covered.length === 0) return [];
      const mutual = covered.filter((other) => trustedBy(other, draft)).map((other) => `cluster ${other.name}`);
      const oneSided = covered.filter((other) => !trustedBy(other, draft)).map((other) => `cluster ${other.name}`);
      const peers = someOf(covered.map((other) => `cluster ${other.name}`));
      const consequences = [
        ...(mutual.length > 0
          ? [
              `${someOf(mutual)} ${mutual.length === 1 ? 'trusts' : 'trust'} this cluster's hosts back, so Weave sends the traffic between this cluster and ${mutual.length === 1 ? 'it' : 'them'} unencrypted (it encrypts unless both ends of a connection trust each other)`,
            ]
          : []),
        ...(oneSided.length > 0
          ? [`${someOf(oneSided)} ${oneSided.length === 1 ? 'does' : 'do'} not trust this cluster back, so ${oneSided.length === 1 ? 'its links stay' : 'their links stay'} encrypted only until ${oneSided.length === 1 ? 'it does' : 'they do'}`]
          : []),
      ];
      return [
        {
          cluster: draft.name,
          path: subnet.path,
          severity: 'warning',
          rule: 'trusted-subnet-peers',
          message: `${subnet.text} covers Weave peers of ${peers}; ${consequences.join('; ')}. List in trusted_subnets only the private network this cluster's own nodes share, not the other clusters' addresses (keep it only if the clusters are joined by a network you trust as much)`,
        },
      ];
    }),
  );
}

/**
 * Beyond about 100 peers in one Weave network, Weave's issues report it breaking down: pods in
 * CrashLoopBackOff "on any cluster beyond 100 nodes" (weaveworks/weave#3593), a network that "becomes
 * unuseable" past 100 nodes and a 180-node cluster that had to be rolled out in two steps
 * (weaveworks/weave#3940), a 167-node network that "suddenly gave in" with >160 pending connections
 * each (weaveworks/weave#3607), connections failing at 200 nodes (weaveworks/weave#3595), and
 * weaveworks/mesh#108 (gossip CPU and memory growing steeply towards 300). Weave's own documentation
 * calls its default connection limit of 100 "safe" and a full mesh N² connections
 * (site/concepts/network-topology.md:145-153 at v2.6.5), and Pharos lifts that limit (CONN_LIMIT "0"
 * in resources/weave/daemon-set.yml.erb), so every peer of the mesh connects to every other.
 */
export const WEAVE_PEERS_KNOWN_TO_WORK = 100;

/**
 * A warning, once, at the cluster with which the mesh's Weave peers (every host of every cluster and
 * the extra known_peers outside the inventory) pass what Weave is known to handle.
 */
export function peerCount(drafts: readonly ClusterDraft[], limit = WEAVE_PEERS_KNOWN_TO_WORK): Violation[] {
  const hosts = new Set(drafts.flatMap((draft) => draft.hosts.map((host) => host.address.toLowerCase())));
  const extras = new Set<string>();
  let count = 0;
  let at: ClusterDraft | undefined;
  for (const draft of drafts) {
    count += draft.hosts.length;
    for (const peer of draft.extraPeers) if (!hosts.has(peer.text.toLowerCase())) extras.add(peer.text.toLowerCase());
    if (!at && count + extras.size > limit) at = draft;
  }
  if (!at) return [];
  return [
    {
      cluster: at.name,
      path: ['hosts'],
      severity: 'warning',
      rule: 'weave-peer-count',
      message: `with this cluster the mesh has ${count + extras.size} Weave peers (hosts of all clusters and their extra known_peers), more than the ${limit} Weave is known to handle: Pharos lifts Weave's connection limit, so every peer connects to every other, and Weave's issues report networks of 100 to 200 peers breaking down (weaveworks/weave#3593, #3940, #3607, #3595); split the mesh into smaller meshes, or grow it in steps and watch weave status connections (docs/warnings.md)`,
    },
  ];
}
