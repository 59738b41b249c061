import * as path_ from 'path';
import { Document } from 'yaml';
import { Address, Cidr, parseIPv4Address, parseIPv4Cidr, reservedRange } from '../net/cidr';
import { givenValue, PASSWORD_PATTERN, structuralIssues } from './cluster-config';
import { isMapping } from '../util/mapping';
import { ClusterDeclaration, FieldPath, formatFieldPath } from './declaration';
import { ClusterSpec, MeshSpec } from './model';
import { pathValues } from './pharos-paths';
import { compareProblems, Problem } from './problem';
import { RuleId } from './rule-ids';
import {
  clusterNames,
  ClusterDraft,
  declaredNames,
  extraPeers,
  firewalldHostNames,
  HostDraft,
  hostAddresses,
  Located,
  masters,
  missingSubnets,
  peerCount,
  samePassword,
  samePodNetwork,
  serviceCidrs,
  subnets,
  trustedSubnetPeers,
  uniqueAddressPorts,
  Violation,
  WEAVE_MAX_PEERS,
} from './rules';
import { PHAROS_DEFAULT_POD_NETWORK_CIDR, PHAROS_DEFAULT_SERVICE_CIDR } from './pharos-defaults';
import { suggestKey } from './suggest';

export interface ValidationResult {
  /** The validated mesh; present only when there is no error (warnings allowed). */
  readonly mesh?: MeshSpec;
  /** Errors and warnings, in file and line order. */
  readonly problems: Problem[];
  /** For each cluster without `ipalloc_default_subnet`: the lowest free subnet of the mesh's usual size. */
  readonly suggestedSubnets: ReadonlyMap<string, string>;
}

/** A draft with the values weave-mesh passes through to Pharos as written. */
interface ReadCluster extends ClusterDraft {
  readonly declaration: ClusterDeclaration;
}

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/**
 * `weave.password` is accepted only as an unmistakable path: it starts with `./`, `../`, `~/` or `/`
 * and is made of names of letters, digits, `.`, `_` and `-`. No base64 or hex secret starts with `.`
 * or `~`; a base64 secret can start with `/`, so an absolute path must also be all lower case or end
 * in a file name holding `.`, `_` or `-` (characters base64 lacks): `/etc/weave/secret`,
 * `/srv/Weave/shared_password`.
 */
export function isUnmistakablePath(value: string): boolean {
  return UNMISTAKABLE_PATH.test(value);
}
const UNMISTAKABLE_PATH = new RegExp(PASSWORD_PATTERN);

/**
 * Checks every rule of the mesh over all clusters and reports all violations at once: the shape of
 * each cluster (from the schema), the meaning of its values, then the mesh rules. The same for
 * clusters from YAML files and from code; only the location of each problem differs. Pure.
 */
export function validateClusters(all: readonly ClusterDeclaration[], recorded: ReadonlyMap<string, string> = new Map()): ValidationResult {
  // Before any work per host: a mesh beyond what Weave carries is refused at once, however large.
  const tooLarge = overWeaveLimit(all);
  if (tooLarge) return { problems: [tooLarge], suggestedSubnets: new Map() };
  const { declarations, duplicates } = uniqueNames(all);
  const violations: Violation[] = [];
  const drafts = declarations.map((declaration) => readCluster(declaration, violations));
  const byName = new Map(declarations.map((declaration) => [declaration.name, declaration]));
  const describe = (cluster: string) => where(byName.get(cluster)!);
  const recordedSubnets = new Map(
    [...recorded].flatMap(([cluster, text]) => {
      const parsed = parseIPv4Cidr(text);
      return parsed.ok ? [[cluster, parsed.value] as const] : [];
    }),
  );
  const missing = missingSubnets(drafts, recordedSubnets, (cluster) => byName.get(cluster)!.origin === 'code');
  // A conflict between two clusters is reported on the one that is new or changed: the rules blame
  // the later of two clusters, so those the output folder records unchanged (rendered, with the
  // subnet they have now) go first. A copied file then gets the errors, not the deployed one.
  const settled = (draft: ClusterDraft) => draft.subnet !== undefined && recordedSubnets.get(draft.name)?.text === draft.subnet.text;
  const inOrder = [...drafts.filter(settled), ...drafts.filter((draft) => !settled(draft))];
  // npm run allocate edits inventory files; a cluster declared in code is fixed in code.
  const allocateHint = (cluster: string): string | undefined => {
    if (byName.get(cluster)?.origin !== 'file') return undefined;
    const kept = recordedSubnets.get(cluster)?.text;
    return kept ? `delete the line and npm run allocate -- ${cluster} writes back ${kept}, the subnet the output folder records for it` : `delete the line and npm run allocate -- ${cluster} writes a free one`;
  };
  violations.push(
    ...clusterNames(drafts, (cluster) =>
      byName.get(cluster)!.origin === 'file' ? { subject: 'the file name gives the cluster name', fix: 'rename the file to', example: 'cluster-a.yml' } : { subject: 'the cluster name', fix: 'rename the cluster to', example: 'cluster-a' },
    ),
    ...masters(drafts),
    ...declaredNames(drafts),
    ...uniqueAddressPorts(drafts),
    ...samePodNetwork(drafts),
    ...samePassword(drafts),
    ...subnets(inOrder, describe, allocateHint),
    ...missing.violations,
    ...serviceCidrs(inOrder),
    ...hostAddresses(inOrder, describe),
    ...firewalldHostNames(drafts),
    ...extraPeers(drafts, describe),
    ...trustedSubnetPeers(drafts),
    ...peerCount(drafts),
  );

  const problems = [...duplicates, ...violations.map((violation) => toProblem(byName.get(violation.cluster)!, violation))].sort(compareProblems);
  if (problems.some((problem) => problem.severity === 'error')) return { problems, suggestedSubnets: missing.suggestions };
  const clusters = drafts.map((draft) => toClusterSpec(draft, byName.get(draft.name)!.source)).sort((a, b) => (a.name < b.name ? -1 : 1));
  return { mesh: { clusters }, problems, suggestedSubnets: missing.suggestions };
}

/**
 * One Weave network spans the mesh, and every host of every cluster and every extra peer is a Weave
 * peer in it. Counted from the raw declarations, so an abusive inventory costs no more than its reading.
 */
function overWeaveLimit(all: readonly ClusterDeclaration[]): Problem | undefined {
  let peers = 0;
  const extras = new Set<string>();
  for (const declaration of all) {
    const config = isMapping(declaration.config) ? declaration.config : {};
    const weave = isMapping(config.network) && isMapping(config.network.weave) ? config.network.weave : {};
    peers += Array.isArray(config.hosts) ? config.hosts.length : 0;
    if (Array.isArray(weave.known_peers)) for (const peer of weave.known_peers) extras.add(String(peer));
    if (peers + extras.size > WEAVE_MAX_PEERS) {
      const { file, line, column, construct } = declaration.locate(['hosts']);
      return {
        severity: 'error',
        ...(file !== undefined ? { file, line, column } : { construct }),
        cluster: declaration.name,
        field: 'hosts',
        rule: 'weave-peer-limit',
        message: `with this cluster the mesh has more than ${WEAVE_MAX_PEERS} Weave peers (hosts of all clusters and their extra known_peers), and one Weave network carries at most ${WEAVE_MAX_PEERS}: Weave gives each peer a 12-bit short ID (weaveworks/mesh, peer.go); split the mesh`,
      };
    }
  }
  return undefined;
}

/** The file or construct path a cluster was declared at. */
function where(declaration: ClusterDeclaration): string {
  const location = declaration.locate([]);
  return location.file ?? location.construct ?? declaration.name;
}

/** Each cluster is declared once: a second declaration of a name is reported and left out of the mesh. */
function uniqueNames(all: readonly ClusterDeclaration[]): { declarations: ClusterDeclaration[]; duplicates: Problem[] } {
  const first = new Map<string, ClusterDeclaration>();
  const duplicates: Problem[] = [];
  for (const declaration of all) {
    const earlier = first.get(declaration.name);
    if (!earlier) {
      first.set(declaration.name, declaration);
      continue;
    }
    const { file, construct } = declaration.locate([]);
    duplicates.push({
      severity: 'error',
      ...(file !== undefined ? { file } : { construct }),
      cluster: declaration.name,
      rule: 'unique-cluster-name',
      message: `cluster ${declaration.name} is defined twice, here and in ${where(earlier)}; keep one ${declaration.origin === 'file' ? 'file' : 'declaration'} per cluster`,
    });
  }
  return { declarations: [...first.values()], duplicates };
}

function toProblem(declaration: ClusterDeclaration, violation: Violation): Problem {
  const { file, line, column, construct } = violation.atKey && declaration.locateKey ? declaration.locateKey(violation.path ?? []) : declaration.locate(violation.path ?? []);
  const location = violation.path === undefined ? { file, construct } : { file, line, column, construct };
  return {
    severity: violation.severity,
    ...Object.fromEntries(Object.entries(location).filter(([, value]) => value !== undefined)),
    cluster: violation.cluster,
    ...(violation.path && violation.path.length > 0 ? { field: formatFieldPath(violation.path) } : {}),
    message: violation.message,
    rule: violation.rule,
  };
}

/**
 * Reads one cluster: its structural issues (types, required and unknown keys) first, then the
 * meaning of each value that has the right type. Wrong types were reported by the schema and are
 * skipped here, so nothing is reported twice.
 */
function readCluster(declaration: ClusterDeclaration, violations: Violation[]): ReadCluster {
  const cluster = declaration.name;
  const report = (path: FieldPath, message: string, rule: RuleId) => violations.push({ cluster, path, message, severity: 'error', rule });
  for (const issue of structuralIssues(declaration.config)) {
    if (issue.unknownKey) {
      const suggestion = suggestKey(issue.unknownKey.key, issue.unknownKey.known);
      const hint = suggestion ? `did you mean ${suggestion}?` : `Pharos knows ${issue.unknownKey.known.join(', ')}`;
      violations.push({ cluster, path: issue.path, message: `is not a Pharos setting; ${hint}`, severity: 'error', rule: 'known-keys', atKey: true });
    } else {
      const reading = declaration.explain?.(issue.path);
      report(issue.path, reading ? `${issue.message}; ${reading}` : issue.message, 'shape');
    }
  }

  for (const [at, what, codeOnly] of unloadable(declaration.config)) {
    report(
      at,
      codeOnly ? `is ${what}, which no cluster.yml can hold; give plain data (strings, numbers, booleans, lists and mappings)` : `is ${what}, which Pharos cannot load (YAML.safe_load allows no such class); quote it if it is meant as text`,
      'pharos-yaml',
    );
  }

  // The paths weave-mesh rebases are strings to Pharos's schema; a number or an empty value could not
  // be rebased, and pharos up refuses it or opens the wrong file. (password and hosts[].ssh_key_path: the schema.)
  for (const { path, value, mayBeEmpty } of pathValues(declaration.config)) {
    if (path[0] === 'network' && path[2] === 'password') continue;
    if (path[0] === 'hosts' && path.length === 3) continue;
    if (typeof value === 'string' && (value !== '' || mayBeEmpty)) continue;
    // kontena/pharos-cluster v3.2.1 config_schema.rb l.232 `optional(:manifests).each(type?: String)`: a nested list fails pharos up.
    const schema = path[0] === 'manifests' ? 'kontena/pharos-cluster v3.2.1 config_schema.rb l.232 `optional(:manifests).each(type?: String)`' : "Pharos's config_schema.rb";
    const fix = path[0] === 'manifests' ? '; write one path per item, no nested list' : '';
    report(path, `must be a file path written as a string, not ${givenValue(value)}; Pharos opens it as a file (${schema} types it as a string), and weave-mesh rebases it for the rendered cluster.yml${fix}`, 'shape');
  }

  const config = isMapping(declaration.config) ? declaration.config : {};
  const network = isMapping(config.network) ? config.network : {};
  const weave = isMapping(network.weave) ? network.weave : {};
  const hosts = readHosts(config.hosts, report);
  const cidr = (value: unknown, path: FieldPath) => readCidr(value, path, report);
  /** A range of the cluster's own network: never in loopback, multicast or other reserved space. */
  const networkCidr = (value: unknown, path: FieldPath) => {
    const located = cidr(value, path);
    const reserved = located && reservedRange(located.value);
    if (reserved) report(path, `${located.text} overlaps ${reserved}; pod and service ranges must be ordinary unicast space, such as 10.32.0.0/12`, 'reserved-range');
    return reserved ? undefined : located;
  };
  /** A CIDR Pharos defaults when absent: the default then counts, located at the block that lacks it. */
  const cidrOrDefault = (value: unknown, path: FieldPath, fallback: string): Located<Cidr> | undefined => (value === undefined ? { ...cidr(fallback, path)!, defaulted: true } : networkCidr(value, path));

  if (typeof network.provider === 'string' && network.provider !== 'weave') {
    report(['network', 'provider'], `is ${JSON.stringify(network.provider)}; a multi-cluster pod network needs provider: weave in every cluster`, 'weave-provider');
  }
  const trustedSubnets = Array.isArray(weave.trusted_subnets) ? weave.trusted_subnets.flatMap((item, index) => cidr(item, ['network', 'weave', 'trusted_subnets', index]) ?? []) : [];
  const subnetMissing = isMapping(network.weave) && (weave.ipalloc_default_subnet === undefined || weave.ipalloc_default_subnet === null);
  return {
    name: cluster,
    declaration,
    hosts,
    hasMaster: Array.isArray(config.hosts) ? config.hosts.some((host) => isMapping(host) && host.role === 'master') : undefined,
    declaredName: typeof config.name === 'string' ? { text: config.name, value: config.name, path: ['name'] } : undefined,
    firewalld: isMapping(network.firewalld) && network.firewalld.enabled === true,
    serviceCidr: cidrOrDefault(network.service_cidr, ['network', 'service_cidr'], PHAROS_DEFAULT_SERVICE_CIDR),
    podNetworkCidr: cidrOrDefault(network.pod_network_cidr, ['network', 'pod_network_cidr'], PHAROS_DEFAULT_POD_NETWORK_CIDR),
    subnet: networkCidr(weave.ipalloc_default_subnet, ['network', 'weave', 'ipalloc_default_subnet']),
    subnetMissing,
    passwordFile: readPasswordFile(weave.password, declaration.baseDir, report),
    extraPeers: readExtraPeers(weave.known_peers, report),
    trustedSubnets,
  };
}

type Report = (path: FieldPath, message: string, rule: RuleId) => void;

/**
 * Values Pharos's parser refuses (lib/pharos/yaml_file.rb: YAML.safe_load with no permitted classes),
 * with where they stand: YAML 1.1 timestamps (Date) and !!set. !!binary is allowed (a String).
 * Also what only TypeScript props can hold and no YAML file can (functions, symbols, cycles), marked
 * true: a cluster declared in code is refused at its construct path rather than crashing the render.
 */
function unloadable(value: unknown, at: FieldPath = [], ancestors: readonly unknown[] = []): [FieldPath, string, boolean?][] {
  // By tag, not instanceof: values may come from another realm (a test sandbox).
  const tag = Object.prototype.toString.call(value);
  if (tag === '[object Date]') return [[at, 'a YAML 1.1 timestamp (read as a date)']];
  if (tag === '[object Set]') return [[at, 'a !!set']];
  // Only clusters declared in TypeScript can hold these: no YAML file means them.
  if (typeof value === 'function') return [[at, 'a function', true]];
  if (typeof value === 'symbol') return [[at, 'a symbol', true]];
  if (ancestors.includes(value)) return [[at, 'a reference to a value that contains it (a cycle)', true]];
  const inside = [...ancestors, value];
  if (Array.isArray(value)) return value.flatMap((item, index) => unloadable(item, [...at, index], inside));
  if (isMapping(value)) return Object.entries(value).flatMap(([key, item]) => unloadable(item, [...at, key], inside));
  return [];
}

function readHosts(hosts: unknown, report: Report): HostDraft[] {
  if (!Array.isArray(hosts)) return [];
  const drafts: HostDraft[] = [];
  hosts.forEach((host, index) => {
    if (!isMapping(host)) return;
    const at = ['hosts', index];
    const address = readAddress(host.address, [...at, 'address'], report);
    const privateAddress = readAddress(host.private_address, [...at, 'private_address'], report);
    if (address && (host.role === 'master' || host.role === 'worker')) {
      drafts.push({
        address: address.text,
        role: host.role,
        ip: address.value,
        privateIp: privateAddress?.value ? { ...privateAddress, value: privateAddress.value } : undefined,
        ...(privateAddress ? { privateAddress: privateAddress.text } : {}),
        ...(typeof host.private_interface === 'string' ? { privateInterface: host.private_interface } : {}),
        sshPort: typeof host.ssh_port === 'number' ? host.ssh_port : 22,
        path: [...at, 'address'],
      });
    }
  });
  if (!hosts.some((host) => isMapping(host) && host.role === 'worker')) {
    report(['hosts'], "has no worker; every cluster needs at least one worker, since its workers are the other clusters' Weave peers", 'worker');
  }
  return drafts;
}

/** An IPv4 address (value set) or, as Pharos allows, a host name (value undefined: IP rules do not apply). */
function readAddress(value: unknown, path: FieldPath, report: Report): Located<Address | undefined> | undefined {
  if (typeof value !== 'string') return undefined;
  const parsed = parseIPv4Address(value);
  if (parsed.ok) {
    const reserved = reservedRange(parsed.value);
    if (!reserved) return { text: value, value: parsed.value, path };
    report(path, `${value} is ${reserved}, which no other host can reach; give the host's own unicast address`, 'reserved-address');
    return undefined;
  }
  if (isLoopbackName(value)) {
    report(path, `${JSON.stringify(value)} is a loopback name (localhost), which no other host can reach; give the host's own unicast address or name`, 'reserved-address');
    return undefined;
  }
  if (isHostName(value)) {
    // config_schema.rb v3.2.1 l.46-48 (`hostname_or_ip?`, for hosts[].address and private_address):
    // /\A\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\z/ or /\A[a-z0-9\-\.]+\z/, so pharos up refuses a capital letter.
    if (path[0] === 'hosts' && /[A-Z]/.test(value)) {
      report(path, `${JSON.stringify(value)} has capital letters, which Pharos refuses in a host's address (config_schema.rb hostname_or_ip?: lower case letters, digits, - and . only); write ${JSON.stringify(value.toLowerCase())}`, 'address');
      return undefined;
    }
    return { text: value, value: undefined, path };
  }
  report(path, `${JSON.stringify(value)} ${value.includes(':') ? parsed.reason : 'is neither an IPv4 address such as 192.0.2.10 nor a host name'}`, 'address');
  return undefined;
}

function readCidr(value: unknown, path: FieldPath, report: Report): Located<Cidr> | undefined {
  if (typeof value !== 'string') return undefined;
  const parsed = parseIPv4Cidr(value);
  if (!parsed.ok) {
    report(path, `${JSON.stringify(value)} ${parsed.reason}`, 'cidr');
    return undefined;
  }
  return { text: parsed.value.text, value: parsed.value, path };
}

function readPasswordFile(value: unknown, baseDir: string, report: Report): Located<string> | undefined {
  const path = ['network', 'weave', 'password'];
  if (typeof value !== 'string') return undefined;
  if (value === '') {
    report(path, 'is missing; give the path of the shared Weave secret file, such as ./shared_password', 'password-file');
    return undefined;
  }
  if (!isUnmistakablePath(value)) {
    // Never echo the value: it may be the secret itself.
    report(
      path,
      'does not look like a file path; it must be the path of the file holding the shared Weave secret (such as ./shared_password), never the secret itself. Start it with ./, ../, ~/ or /, and use names of letters, digits and . _ - only; an absolute path must be all lower case or end in a file name with . _ or - in it, since a base64 secret can start with /',
      'password-file',
    );
    return undefined;
  }
  // Pharos resolves it from the folder of the file it reads; ~ is the home folder of whoever runs it.
  return { text: value, value, path, key: value.startsWith('~') ? value : path_.resolve(baseDir, value) };
}

/** The cluster's own extra peers: addresses (or host names) as hosts have, checked the same way. */
function readExtraPeers(value: unknown, report: Report): Located<Address | undefined>[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((peer, index) => readAddress(peer, ['network', 'weave', 'known_peers', index], report) ?? []);
}

/** `localhost` and any name below it (RFC 6761: resolvers answer them with loopback addresses), in any case, with or without the final dot. */
function isLoopbackName(text: string): boolean {
  return /(^|\.)localhost\.?$/i.test(text);
}

/**
 * A DNS name, and not one that resolvers read as a number: every label decimal or 0x-hex (`10.0x21`,
 * `0x0a000001`) is an address written another way, so it is refused rather than taken as a name.
 */
function isHostName(text: string): boolean {
  const lower = text.toLowerCase();
  return text.length <= 253 && DNS1123_SUBDOMAIN.test(lower) && !lower.split('.').every((label) => /^(0x[0-9a-f]*|[0-9]+)$/.test(label));
}

function toClusterSpec(draft: ReadCluster, source: string): ClusterSpec {
  const { declaration } = draft;
  const required = <T>(field: Located<T> | undefined): string => {
    // Unreachable when validation found no error; guards against a rule forgetting to report.
    if (!field) throw new Error(`internal: cluster ${draft.name} passed validation with a missing field`);
    return field.text;
  };
  return {
    name: draft.name,
    source,
    origin: declaration.origin,
    baseDir: declaration.baseDir,
    document: declaration.document ?? new Document(declaration.config),
    ...(declaration.text !== undefined ? { text: declaration.text } : {}),
    config: declaration.config,
    hosts: draft.hosts.map(({ address, role, privateAddress, privateInterface }) => ({ address, role, ...(privateAddress !== undefined ? { privateAddress } : {}), ...(privateInterface !== undefined ? { privateInterface } : {}) })),
    serviceCidr: required(draft.serviceCidr),
    podNetworkCidr: required(draft.podNetworkCidr),
    subnet: required(draft.subnet),
    passwordFile: required(draft.passwordFile),
    extraPeers: draft.extraPeers.map((peer) => peer.text),
  };
}
