import { Address, Cidr, parseIPv4Address, parseIPv4Cidr } from '../net/cidr';
import { suggestSubnets } from '../mesh/allocate';
import { ClusterSpec, HostSpec, MeshSpec } from '../mesh/model';
import { ClusterFile } from './load';
import { compareProblems, Problem } from './problem';
import { MANAGED_NETWORK_KEYS, MANAGED_WEAVE_KEYS, NETWORK_KEYS, suggestKey, WEAVE_KEYS } from './schema';

export interface ValidationResult {
  /** The validated mesh; present only when there is no error (warnings allowed). */
  readonly mesh?: MeshSpec;
  /** Errors and warnings, in file and line order. */
  readonly problems: Problem[];
  /** For each cluster without `ipalloc_default_subnet`: the lowest free subnet of the mesh's usual size. */
  readonly suggestedSubnets: ReadonlyMap<string, string>;
}

type FieldPath = readonly (string | number)[];

/** A value read from a cluster file together with where it stands, for cross-cluster messages. */
interface Located<T> {
  readonly text: string;
  readonly value: T;
  readonly path: FieldPath;
}

interface HostDraft extends HostSpec {
  readonly ip: Address;
  readonly path: FieldPath;
}

/** What could be read from one cluster file; a field is undefined when it was missing or invalid (already reported). */
interface ClusterDraft {
  readonly source: ClusterFile;
  readonly hosts: HostDraft[];
  serviceCidr?: Located<Cidr>;
  podNetworkCidr?: Located<Cidr>;
  subnet?: Located<Cidr>;
  /** True when `ipalloc_default_subnet` is absent, which `allocate` can fix. */
  subnetMissing?: boolean;
  passwordFile?: Located<string>;
  extraPeers: string[];
  otherNetworkSettings: Record<string, unknown>;
  otherWeaveSettings: Record<string, unknown>;
}

/** Weave Net's ipam/allocator.go: MinSubnetSize = 4 addresses, so /30 is the longest prefix it takes. */
const WEAVE_SMALLEST_SUBNET = 30;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
// A file path, written with the characters file names use in practice: `./shared_password`, `/etc/weave/secret`.
const PATH_LIKE = /^(?=.*\/)[\w.~/-]+$/;

/**
 * Checks every rule of the mesh over the whole inventory and reports all violations at once.
 * Pure: reads nothing but the parsed files it is given.
 */
export function validateInventory(files: readonly ClusterFile[]): ValidationResult {
  const problems: Problem[] = [];
  const drafts = files.map((file) => readCluster(file, problems));
  checkClusterNames(drafts, problems);
  checkSameEverywhere(drafts, problems, (draft) => draft.podNetworkCidr, 'pod_network_cidr');
  checkSameEverywhere(drafts, problems, (draft) => draft.passwordFile, 'Weave password file');
  checkSubnets(drafts, problems);
  const suggestedSubnets = checkMissingSubnets(drafts, problems);
  checkServiceCidrs(drafts, problems);
  checkHostAddresses(drafts, problems);

  problems.sort(compareProblems);
  if (problems.some((problem) => problem.severity === 'error')) return { problems, suggestedSubnets };
  const clusters = drafts.map(toClusterSpec).sort((a, b) => (a.name < b.name ? -1 : 1));
  return { mesh: { clusters }, problems, suggestedSubnets };
}

function report(problems: Problem[], source: ClusterFile, path: FieldPath, message: string, severity: Problem['severity'] = 'error', rule?: Problem['rule']): void {
  const { line, column } = source.locate(path);
  problems.push({ severity, file: source.path, line, column, cluster: source.name, field: fieldName(path), message, ...(rule ? { rule } : {}) });
}

/** `['hosts', 1, 'address']` reads as `hosts[1].address`. */
function fieldName(path: FieldPath): string | undefined {
  if (path.length === 0) return undefined;
  return path.map((part, i) => (typeof part === 'number' ? `[${part}]` : i === 0 ? part : `.${part}`)).join('');
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function typeName(value: unknown): string {
  if (value === null || value === undefined) return 'empty';
  if (Array.isArray(value)) return 'a list';
  if (isMapping(value)) return 'a mapping';
  return `a ${typeof value}`;
}

function readCluster(source: ClusterFile, problems: Problem[]): ClusterDraft {
  const draft: ClusterDraft = { source, hosts: [], extraPeers: [], otherNetworkSettings: {}, otherWeaveSettings: {} };
  const data = source.data;
  if (!isMapping(data)) {
    report(problems, source, [], `the file must be a YAML mapping with hosts: and network: (a Pharos cluster.yml), not ${typeName(data)}`);
    return draft;
  }
  readHosts(draft, data.hosts, problems);
  const network = data.network;
  if (!isMapping(network)) {
    report(problems, source, ['network'], network === undefined ? 'is missing; add the network: block of the Pharos cluster.yml' : `must be a mapping, not ${typeName(network)}`);
    return draft;
  }
  readNetwork(draft, network, problems);
  return draft;
}

function readHosts(draft: ClusterDraft, hosts: unknown, problems: Problem[]): void {
  const { source } = draft;
  if (!Array.isArray(hosts)) {
    report(problems, source, ['hosts'], hosts === undefined ? 'is missing; list the cluster hosts with address and role' : `must be a list of hosts, not ${typeName(hosts)}`);
    return;
  }
  hosts.forEach((host, index) => {
    const path = ['hosts', index];
    if (!isMapping(host)) {
      report(problems, source, path, `must be a mapping with address and role, not ${typeName(host)}`);
      return;
    }
    const ip = readAddress(source, host.address, [...path, 'address'], problems, true);
    if (host.private_address !== undefined) readAddress(source, host.private_address, [...path, 'private_address'], problems, false);
    const role = host.role;
    if (role !== 'master' && role !== 'worker') {
      report(problems, source, [...path, 'role'], role === undefined ? 'is missing; set role: master or role: worker' : `must be master or worker, not ${JSON.stringify(role)}`);
      return;
    }
    if (ip) draft.hosts.push({ address: ip.text, role, ip: ip.value, path: [...path, 'address'] });
  });
  if (!hosts.some((host) => isMapping(host) && host.role === 'worker')) {
    report(problems, source, ['hosts'], 'has no worker; every cluster needs at least one worker, since its workers are the other clusters\' Weave peers');
  }
}

function readAddress(source: ClusterFile, value: unknown, path: FieldPath, problems: Problem[], required: boolean): Located<Address> | undefined {
  if (typeof value !== 'string') {
    if (value !== undefined || required) {
      report(problems, source, path, value === undefined ? 'is missing; give the host\'s IPv4 address' : `must be an IPv4 address written as a string, not ${typeName(value)}`);
    }
    return undefined;
  }
  const parsed = parseIPv4Address(value);
  if (!parsed.ok) {
    report(problems, source, path, `${JSON.stringify(value)} ${parsed.reason}`);
    return undefined;
  }
  return { text: value, value: parsed.value, path };
}

function readCidr(source: ClusterFile, value: unknown, path: FieldPath, problems: Problem[], missingHint: string): Located<Cidr> | undefined {
  if (typeof value !== 'string') {
    report(problems, source, path, value === undefined ? `is missing; ${missingHint}` : `must be an IPv4 CIDR written as a string, not ${typeName(value)}`);
    return undefined;
  }
  const parsed = parseIPv4Cidr(value);
  if (!parsed.ok) {
    report(problems, source, path, `${JSON.stringify(value)} ${parsed.reason}`);
    return undefined;
  }
  return { text: parsed.value.text, value: parsed.value, path };
}

function checkKnownKeys(source: ClusterFile, block: Record<string, unknown>, path: FieldPath, known: readonly string[], problems: Problem[]): void {
  for (const key of Object.keys(block)) {
    if (known.includes(key)) continue;
    const suggestion = suggestKey(key, known);
    const hint = suggestion ? `did you mean ${suggestion}?` : `Pharos knows ${known.join(', ')}`;
    report(problems, source, [...path, key], `is not a Pharos setting; ${hint}`);
  }
}

function keepOthers(block: Record<string, unknown>, known: readonly string[], managed: readonly string[]): Record<string, unknown> {
  const others: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(block)) {
    if (known.includes(key) && !managed.includes(key)) others[key] = value;
  }
  return others;
}

function readNetwork(draft: ClusterDraft, network: Record<string, unknown>, problems: Problem[]): void {
  const { source } = draft;
  checkKnownKeys(source, network, ['network'], NETWORK_KEYS, problems);
  draft.otherNetworkSettings = keepOthers(network, NETWORK_KEYS, MANAGED_NETWORK_KEYS);

  if (network.provider !== undefined && network.provider !== 'weave') {
    report(problems, source, ['network', 'provider'], `is ${JSON.stringify(network.provider)}; a multi-cluster pod network needs provider: weave in every cluster`);
  }
  draft.serviceCidr = readCidr(source, network.service_cidr, ['network', 'service_cidr'], problems, 'give the cluster\'s service CIDR, such as 172.16.0.0/16');
  draft.podNetworkCidr = readCidr(source, network.pod_network_cidr, ['network', 'pod_network_cidr'], problems, 'give the pod network shared by all clusters, such as 10.32.0.0/12');

  const weave = network.weave;
  if (!isMapping(weave)) {
    report(problems, source, ['network', 'weave'], weave === undefined ? 'is missing; add weave: with password and ipalloc_default_subnet' : `must be a mapping, not ${typeName(weave)}`);
    return;
  }
  checkKnownKeys(source, weave, ['network', 'weave'], WEAVE_KEYS, problems);
  draft.otherWeaveSettings = keepOthers(weave, WEAVE_KEYS, MANAGED_WEAVE_KEYS);
  // A missing subnet is reported with a suggestion once all clusters' subnets are known.
  draft.subnetMissing = weave.ipalloc_default_subnet === undefined || weave.ipalloc_default_subnet === null;
  if (!draft.subnetMissing) {
    draft.subnet = readCidr(source, weave.ipalloc_default_subnet, ['network', 'weave', 'ipalloc_default_subnet'], problems, '');
  }
  draft.passwordFile = readPasswordFile(source, weave.password, problems);
  draft.extraPeers = readExtraPeers(source, weave.known_peers, problems);
  if (weave.trusted_subnets !== undefined) readCidrList(source, weave.trusted_subnets, ['network', 'weave', 'trusted_subnets'], problems);
  if (weave.no_masq_local !== undefined && typeof weave.no_masq_local !== 'boolean') {
    report(problems, source, ['network', 'weave', 'no_masq_local'], `must be true or false, not ${typeName(weave.no_masq_local)}`);
  }
}

function readPasswordFile(source: ClusterFile, value: unknown, problems: Problem[]): Located<string> | undefined {
  const path = ['network', 'weave', 'password'];
  if (typeof value !== 'string' || value === '') {
    report(problems, source, path, value === undefined || value === '' ? 'is missing; give the path of the shared Weave secret file, such as ./shared_password' : `must be a file path written as a string, not ${typeName(value)}`);
    return undefined;
  }
  if (!PATH_LIKE.test(value)) {
    // Never echo the value: it may be the secret itself.
    report(
      problems,
      source,
      path,
      'does not look like a file path; it must be the path of the file holding the shared Weave secret (such as ./shared_password), never the secret itself. Write ./ before the name of a file in the folder where pharos up runs; use letters, digits and . _ ~ / - only',
    );
    return undefined;
  }
  return { text: value, value, path };
}

function readExtraPeers(source: ClusterFile, value: unknown, problems: Problem[]): string[] {
  const path = ['network', 'weave', 'known_peers'];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    report(problems, source, path, `must be a list of peer addresses, not ${typeName(value)}; peers inside the inventory are added automatically`);
    return [];
  }
  const peers: string[] = [];
  value.forEach((peer, index) => {
    const at = [...path, index];
    if (typeof peer !== 'string') {
      report(problems, source, at, `must be an address written as a string, not ${typeName(peer)}`);
      return;
    }
    const address = parseIPv4Address(peer);
    if (address.ok || isHostName(peer)) {
      peers.push(peer);
      return;
    }
    report(problems, source, at, `${JSON.stringify(peer)} ${peer.includes(':') ? address.reason : 'is neither an IPv4 address nor a host name'}`);
  });
  return peers;
}

function isHostName(text: string): boolean {
  return text.length <= 253 && DNS1123_SUBDOMAIN.test(text) && !/^[0-9.]+$/.test(text);
}

function readCidrList(source: ClusterFile, value: unknown, path: FieldPath, problems: Problem[]): void {
  if (!Array.isArray(value)) {
    report(problems, source, path, `must be a list of IPv4 CIDRs, not ${typeName(value)}`);
    return;
  }
  value.forEach((item, index) => readCidr(source, item, [...path, index], problems, 'remove the empty entry'));
}

function checkClusterNames(drafts: readonly ClusterDraft[], problems: Problem[]): void {
  const seen = new Map<string, ClusterFile>();
  for (const { source } of drafts) {
    if (source.name.length > 63 || !DNS1123_LABEL.test(source.name)) {
      problems.push({
        severity: 'error',
        file: source.path,
        cluster: source.name,
        message: `the file name gives the cluster name ${JSON.stringify(source.name)}, which is not a DNS-1123 label; rename the file to lower-case letters, digits and '-' (at most 63 characters, starting and ending with a letter or digit), such as cluster-a.yml`,
      });
    }
    const first = seen.get(source.name);
    if (first) {
      problems.push({ severity: 'error', file: source.path, cluster: source.name, message: `cluster ${source.name} is defined twice, here and in ${first.path}; keep one file per cluster` });
    } else {
      seen.set(source.name, source);
    }
  }
}

/** Clusters grouped by the value of one field, the largest group first (ties: the group seen first, in name order). */
function groupByValue<T>(drafts: readonly ClusterDraft[], pick: (draft: ClusterDraft) => Located<T> | undefined): { field: Located<T>; drafts: ClusterDraft[] }[] {
  const groups = new Map<string, { field: Located<T>; drafts: ClusterDraft[] }>();
  for (const draft of drafts) {
    const field = pick(draft);
    if (!field) continue;
    const group = groups.get(field.text) ?? { field, drafts: [] };
    group.drafts.push(draft);
    groups.set(field.text, group);
  }
  return [...groups.values()].sort((a, b) => b.drafts.length - a.drafts.length);
}

/**
 * A field that must be equal in every cluster. The value most clusters use is taken as the
 * intended one, and every other cluster is reported.
 */
function checkSameEverywhere<T>(drafts: readonly ClusterDraft[], problems: Problem[], pick: (draft: ClusterDraft) => Located<T> | undefined, what: string): void {
  const [majority, ...others] = groupByValue(drafts, pick);
  const names = majority?.drafts.map((holder) => holder.source.name).join(', ');
  for (const draft of others.flatMap((group) => group.drafts)) {
    const field = pick(draft)!;
    const verb = majority.drafts.length === 1 ? 'uses' : 'use';
    report(problems, draft.source, field.path, `is ${field.text}, but ${names} ${verb} ${majority.field.text}; the ${what} must be the same in every cluster of the mesh`);
  }
}

function checkSubnets(drafts: readonly ClusterDraft[], problems: Problem[]): void {
  const placed: { draft: ClusterDraft; subnet: Located<Cidr> }[] = [];
  for (const draft of drafts) {
    const { subnet, podNetworkCidr } = draft;
    if (!subnet) continue;
    if (subnet.value.prefixLength > WEAVE_SMALLEST_SUBNET) {
      report(
        problems,
        draft.source,
        subnet.path,
        `${subnet.text} is smaller than Weave allows: Weave refuses a subnet of fewer than 4 addresses (MinSubnetSize), so ipalloc_default_subnet must be a /${WEAVE_SMALLEST_SUBNET} or larger`,
      );
    }
    if (podNetworkCidr && !podNetworkCidr.value.contains(subnet.value)) {
      report(problems, draft.source, subnet.path, `${subnet.text} is not inside pod_network_cidr ${podNetworkCidr.text}; choose a subnet inside it`);
    }
    if (podNetworkCidr && subnet.text === podNetworkCidr.text) {
      report(problems, draft.source, subnet.path, `${subnet.text} is the whole pod network; give each cluster a smaller subnet inside ${podNetworkCidr.text}, such as a /16`);
    }
    for (const other of placed) {
      if (subnet.value.overlaps(other.subnet.value)) {
        report(problems, draft.source, subnet.path, `${subnet.text} overlaps ${other.subnet.text} of cluster ${other.draft.source.name} (${other.draft.source.path}); every cluster needs a subnet of its own`);
      }
    }
    placed.push({ draft, subnet });
  }
}

/** Reports each cluster without a subnet, suggesting the lowest free one of the mesh's usual size. */
function checkMissingSubnets(drafts: readonly ClusterDraft[], problems: Problem[]): Map<string, string> {
  const missing = drafts.filter((draft) => draft.subnetMissing);
  const suggestions = new Map<string, string>();
  if (missing.length === 0) return suggestions;
  const podNetwork = groupByValue(drafts, (draft) => draft.podNetworkCidr)[0]?.field;
  const used = drafts.flatMap((draft) => (draft.subnet ? [draft.subnet.value] : []));
  const suggested = podNetwork ? suggestSubnets(podNetwork.value, used, missing.map((draft) => draft.source.name)) : new Map<string, string | undefined>();
  for (const draft of missing) {
    const subnet = suggested.get(draft.source.name);
    if (subnet) suggestions.set(draft.source.name, subnet);
    const hint = subnet
      ? `the lowest free subnet of the mesh's usual size is ${subnet}; npm run allocate -- ${draft.source.name} writes it into the file`
      : podNetwork
        ? `pod_network_cidr ${podNetwork.text} has no free subnet of the mesh's usual size left`
        : 'give this cluster its own subnet inside pod_network_cidr';
    report(problems, draft.source, ['network', 'weave', 'ipalloc_default_subnet'], `is missing; every cluster needs its own subnet inside pod_network_cidr: ${hint}`, 'error', 'missing-subnet');
  }
  return suggestions;
}

function checkServiceCidrs(drafts: readonly ClusterDraft[], problems: Problem[]): void {
  const placed: ClusterDraft[] = [];
  for (const draft of drafts) {
    const { serviceCidr, podNetworkCidr } = draft;
    if (!serviceCidr) continue;
    if (podNetworkCidr && serviceCidr.value.overlaps(podNetworkCidr.value)) {
      report(problems, draft.source, serviceCidr.path, `${serviceCidr.text} overlaps pod_network_cidr ${podNetworkCidr.text}; service and pod addresses must not collide`);
    }
    for (const other of placed) {
      if (other.serviceCidr && serviceCidr.value.overlaps(other.serviceCidr.value)) {
        report(problems, draft.source, serviceCidr.path, `${serviceCidr.text} overlaps the service CIDR ${other.serviceCidr.text} of cluster ${other.source.name}; that works, but a service IP then means different services in the two clusters`, 'warning');
      }
    }
    placed.push(draft);
  }
}

function checkHostAddresses(drafts: readonly ClusterDraft[], problems: Problem[]): void {
  const owners = new Map<string, ClusterDraft>();
  const reserved = drafts.flatMap((draft) => [
    ...(draft.podNetworkCidr ? [{ range: draft.podNetworkCidr, what: `the pod network ${draft.podNetworkCidr.text}` }] : []),
    ...(draft.serviceCidr ? [{ range: draft.serviceCidr, what: `the service CIDR ${draft.serviceCidr.text} of cluster ${draft.source.name}` }] : []),
  ]);
  for (const draft of drafts) {
    for (const host of draft.hosts) {
      const owner = owners.get(host.address);
      if (owner) {
        const where = owner === draft ? 'another host of this cluster' : `a host of cluster ${owner.source.name} (${owner.source.path})`;
        report(problems, draft.source, host.path, `${host.address} is also the address of ${where}; host addresses must be unique across the mesh`);
      } else {
        owners.set(host.address, draft);
      }
      // The pod network is shared by all clusters: report the first range hit, not one line per cluster.
      const inside = reserved.find(({ range }) => range.value.contains(host.ip));
      if (inside) report(problems, draft.source, host.path, `${host.address} lies inside ${inside.what}; node addresses must be outside every pod and service range`);
    }
  }
}

function toClusterSpec(draft: ClusterDraft): ClusterSpec {
  const required = <T>(field: Located<T> | undefined): string => {
    // Unreachable when validation found no error; guards against a rule forgetting to report.
    if (!field) throw new Error(`internal: cluster ${draft.source.name} passed validation with a missing field`);
    return field.text;
  };
  return {
    name: draft.source.name,
    file: draft.source.path,
    hosts: draft.hosts.map(({ address, role }) => ({ address, role })),
    serviceCidr: required(draft.serviceCidr),
    podNetworkCidr: required(draft.podNetworkCidr),
    subnet: required(draft.subnet),
    passwordFile: required(draft.passwordFile),
    extraPeers: draft.extraPeers,
    otherNetworkSettings: draft.otherNetworkSettings,
    otherWeaveSettings: draft.otherWeaveSettings,
  };
}
