/**
 * Reading a rendered tree's state back (the output folder, a base commit's, or a render in memory):
 * what each cluster's cluster.yml records, read as Pharos reads it, and which files are damaged.
 */
import { createHash } from 'crypto';
import { isMapping } from '../util/mapping';
import { parseDocument } from 'yaml';
import { Problem } from '../mesh/problem';
import { PHAROS_DEFAULT_POD_NETWORK_CIDR, PHAROS_DEFAULT_SERVICE_CIDR } from '../mesh/pharos-defaults';
import { conflictLine } from '../util/conflict';
import { checkAliasBudget, readAsPsych } from '../util/psych-read';
import { readOutputTree } from './compare';
import { pharosConfigCluster, PHAROS_CONFIG_FILE } from './layout';
import { OutputTree } from './tree';

/** What a rendered tree says about one cluster, read back from its Pharos network config. */
export interface ClusterState {
  readonly subnet: string;
  readonly podNetworkCidr: string;
  readonly serviceCidr: string;
  readonly peers: readonly string[];
}

export type MeshState = ReadonlyMap<string, ClusterState>;

/** The clusters a rendered tree holds, from its file names alone (no file is parsed). */
export function clustersOf(tree: OutputTree): Set<string> {
  return new Set([...tree.keys()].flatMap((file) => pharosConfigCluster(file) ?? []));
}

/** The clusters' rendered cluster.yml files of a tree: each cluster, its file and the file's content. */
function* pharosConfigs(tree: OutputTree): Generator<{ cluster: string; file: string; content: string }> {
  for (const [file, content] of tree) {
    const cluster = pharosConfigCluster(file);
    if (cluster !== undefined) yield { cluster, file, content };
  }
}

/**
 * Reads the mesh back from a rendered tree (the output folder, a base commit's, or a render in memory).
 * A file laid out as synth writes it is read as lines (a 256-cluster mesh has 2,000 known_peers per
 * file, and parsing 512 of them took seconds); any other spelling is read as Pharos reads it.
 */
export function meshStateOf(tree: OutputTree): MeshState {
  const state = new Map<string, ClusterState>();
  for (const { cluster, content } of pharosConfigs(tree)) {
    const quick = stateFromLines(content);
    if (quick) {
      state.set(cluster, quick);
      continue;
    }
    const document = readRendered(content);
    // A file that is no longer YAML (a merge conflict) records nothing: damagedClusterFiles says so.
    if (document === undefined) continue;
    const network = isMapping(document) && isMapping(document.network) ? document.network : {};
    const weave = isMapping(network.weave) ? network.weave : {};
    state.set(cluster, {
      subnet: plainValue(weave.ipalloc_default_subnet ?? ''),
      // Pharos's defaults when the file sets none.
      podNetworkCidr: plainValue(network.pod_network_cidr ?? PHAROS_DEFAULT_POD_NETWORK_CIDR),
      serviceCidr: plainValue(network.service_cidr ?? PHAROS_DEFAULT_SERVICE_CIDR),
      peers: Array.isArray(weave.known_peers) ? weave.known_peers.map(plainValue) : [],
    });
  }
  return state;
}

/**
 * A value of a parsed cluster.yml as the plan shows it: an address, CIDR or host name as it is; any
 * other text (a base commit's file arrives in a pull request: backticks, `<details>`, @mentions,
 * terminal escapes) as `invalid-` and a digest, so different values still differ and none reaches the
 * log or the Markdown as written.
 */
export function plainValue(value: unknown): string {
  const text = String(value);
  return /^[0-9A-Za-z.:/-]{0,100}$/.test(text) ? text : `invalid-${createHash('sha256').update(text).digest('hex').slice(0, 12)}`;
}

/** What a cluster.yml records that renumbers pods when it changes: the cluster's subnet and the pod network. */
export interface ClusterRecord {
  readonly subnet: string;
  readonly podNetworkCidr: string;
}

// network.pod_network_cidr and network.weave.ipalloc_default_subnet as plain CIDRs on lines of their own, in the usual layout.
const RECORD_LINES = { subnet: /^ {4}ipalloc_default_subnet: ([0-9./]+)(?: #.*)?\r?$/gm, podNetworkCidr: /^ {2}pod_network_cidr: ([0-9./]+)(?: #.*)?\r?$/gm };

/**
 * How often `word` occurs in a file outside comments (a `#` at a line's start or after a blank starts
 * one), counted in place: a copy of each file without its comments was megabytes of garbage per run.
 */
function countInCode(content: string, word: string): number {
  let count = 0;
  for (let at = content.indexOf(word); at >= 0; at = content.indexOf(word, at + word.length)) {
    const lineStart = content.lastIndexOf('\n', at) + 1;
    if (!/(^|[ \t])#/.test(content.slice(lineStart, at))) count++;
  }
  return count;
}

/** Whether a file's two record lines can be read as lines: each name written once in the whole file (so in no other place, quoted, tagged or in flow style), in a block `network:` / `weave:` layout, with no merge key. */
function plainLayout(content: string, subnets: number, podNetworks: number): boolean {
  // Every occurrence outside comments: the name in a comment's prose (`# this cluster's own subnet
  // inside pod_network_cidr`) is not another spelling of the key, any other occurrence may be.
  const count = (word: string) => countInCode(content, word);
  return (
    subnets === 1 &&
    count('ipalloc_default_subnet') === 1 &&
    count('pod_network_cidr') === podNetworks &&
    !content.includes('<<') &&
    (content.match(/^network:[ \t]*(#.*)?\r?$/gm)?.length ?? 0) === 1 &&
    (content.match(/^ {2}weave:[ \t]*(#.*)?\r?$/gm)?.length ?? 0) === 1
  );
}

/**
 * The record of each cluster in a rendered tree. A 256-cluster mesh has 2,000 known_peers per file,
 * so the two lines are read as lines when the file is laid out plainly; any other spelling (quoted,
 * tagged, flow style, merged, a name written twice) is read as Pharos reads it, so a renumbering is
 * never missed.
 */
export function recordsOf(tree: OutputTree): Map<string, ClusterRecord> {
  const records = new Map<string, ClusterRecord>();
  for (const { cluster, file, content } of pharosConfigs(tree)) {
    const record = recordFromLines(content) ?? meshStateOf(new Map([[file, content]])).get(cluster);
    if (record) records.set(cluster, { subnet: record.subnet, podNetworkCidr: record.podNetworkCidr });
  }
  return records;
}

/**
 * A file's record read as lines, when it is laid out plainly and holds no merge conflict (a file with
 * a conflict records nothing, however its lines read: damagedClusterFiles says so); undefined when
 * the file must be parsed.
 */
function recordFromLines(content: string): ClusterRecord | undefined {
  const subnets = [...content.matchAll(RECORD_LINES.subnet)];
  const podNetworks = [...content.matchAll(RECORD_LINES.podNetworkCidr)];
  if (!plainLayout(content, subnets.length, podNetworks.length) || conflictLine(content) !== undefined) return undefined;
  return { subnet: subnets[0][1], podNetworkCidr: podNetworks[0]?.[1] ?? PHAROS_DEFAULT_POD_NETWORK_CIDR };
}

// network.weave.known_peers as a block list of IPv4 addresses (always strings in YAML 1.1), and network.service_cidr.
const PEERS_BLOCK = /^ {4}known_peers:[ \t]*(?:#.*)?\r?\n((?: {6}- [0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}(?: #.*)?\r?\n)*)/m;
const SERVICE_CIDR_LINE = /^ {2}service_cidr: ([0-9./]+)(?: #.*)?\r?$/gm;

/**
 * A file's whole state read as lines, when its record is (recordFromLines), known_peers is written
 * once as a block list of addresses inside `weave:` and service_cidr at most once as a plain line;
 * undefined when the file must be parsed.
 */
export function stateFromLines(content: string): ClusterState | undefined {
  const record = recordFromLines(content);
  if (!record) return undefined;
  const count = (word: string) => countInCode(content, word);
  const services = [...content.matchAll(SERVICE_CIDR_LINE)];
  if (count('service_cidr') !== services.length || services.length > 1) return undefined;
  let peersText = '';
  if (count('known_peers') > 0) {
    const block = PEERS_BLOCK.exec(content);
    if (count('known_peers') !== 1 || !block) return undefined;
    // Inside `  weave:`: no line indented by two or less between the two.
    const weave = content.search(/^ {2}weave:[ \t]*(#.*)?\r?$/m);
    if (weave < 0 || weave > block.index || /\n {0,2}[^ \r\n#]/.test(content.slice(weave + 1, block.index))) return undefined;
    // The list ends where the next line is not deeper than known_peers.
    const next = content.slice(block.index + block[0].length).split('\n', 1)[0];
    if (/^ {5,}\S/.test(next)) return undefined;
    peersText = block[1];
  }
  // The peers are split from their lines only when asked for, and not kept: 512 files of 2,000 peers as
  // arrays were 40 MB, and plan compares the lines first (peersTextOf), splitting only those that differ.
  const state = { subnet: record.subnet, podNetworkCidr: record.podNetworkCidr, serviceCidr: services[0]?.[1] ?? PHAROS_DEFAULT_SERVICE_CIDR } as ClusterState;
  Object.defineProperty(state, 'peers', { enumerable: true, get: () => [...peersText.matchAll(/- ([0-9.]+)/g)].map((item) => item[1]) });
  // As written (a slice of the file's text, no copy) unless comments or CRs must go.
  PEERS_TEXT.set(state, /[#\r]/.test(peersText) ? peersText.replace(/ #.*$/gm, '').replace(/\r/g, '') : peersText);
  return state;
}

const PEERS_TEXT = new WeakMap<ClusterState, string>();

/** The known_peers of a state read as lines, as one normalised text (equal texts: equal peers); undefined for a parsed state. */
export function peersTextOf(state: ClusterState): string | undefined {
  return PEERS_TEXT.get(state);
}

/**
 * The hosts of a cluster as its rendered cluster.yml lists them: address and role. Only hosts Pharos
 * would take (its schema: an address of `[a-z0-9.-]`, role master or worker): any other never ran, and
 * its text, from a base commit's output folder in a pull request, would go into the next steps' commands.
 */
export function hostsIn(tree: OutputTree, cluster: string): { address: string; role: string }[] {
  const hosts = readYaml(tree, `${cluster}/${PHAROS_CONFIG_FILE}`)?.hosts;
  return Array.isArray(hosts)
    ? hosts
        .filter(isMapping)
        .map((host) => ({ address: String(host.address), role: String(host.role) }))
        .filter(({ address, role }) => /^[a-z0-9.-]+$/.test(address) && (role === 'master' || role === 'worker'))
    : [];
}

/** network.weave.password of a cluster's rendered cluster.yml, if it names a file. */
export function passwordIn(tree: OutputTree, cluster: string): string | undefined {
  const password = readYaml(tree, `${cluster}/${PHAROS_CONFIG_FILE}`)?.network?.weave?.password;
  return typeof password === 'string' ? password : undefined;
}

/**
 * Whether two rendered cluster.yml files differ in comments only, so Pharos reads the same from both:
 * their lines are the same once whole-line comments, and comments at the end of a line (the inventory's
 * `pod_network_cidr: 10.32.0.0/12 # ...`, copied into the rendered file), are left out. Decided from
 * the lines, never by parsing (a 256-cluster mesh has 2,000 peers a file): a file with a block scalar
 * (where a `#` line is text) counts every differing line, a file with a quote outside its comments
 * (where ` #` may be text) keeps its end-of-line comments, and an equal value spelt differently counts
 * as a change (a pharos up that changes nothing is harmless; one missed is not).
 */
export function sameSettings(before: OutputTree, beforeCluster: string, after: OutputTree, afterCluster: string): boolean {
  const a = before.get(`${beforeCluster}/${PHAROS_CONFIG_FILE}`);
  const b = after.get(`${afterCluster}/${PHAROS_CONFIG_FILE}`);
  if (a === undefined || b === undefined) return false;
  if (a === b) return true;
  const blockScalar = /^[^#\n]*[:-][ \t]+[|>][-+0-9]*[ \t]*(#.*)?\r?$/m;
  if (blockScalar.test(a) || blockScalar.test(b)) return false;
  const lines = (text: string) =>
    text
      .replace(/\r/g, '')
      .split('\n')
      .filter((line) => !/^[ \t]*#/.test(line) && line.trim() !== '');
  // A line's code: up to the first ` #` (a comment in YAML, unless inside quotes), without trailing blanks.
  const code = (line: string) => line.slice(0, /[ \t]#/.exec(line)?.index ?? line.length).trimEnd();
  const data = (text: string) => {
    const all = lines(text);
    return (all.some((line) => /["']/.test(code(line))) ? all : all.map(code)).join('\n');
  };
  return data(a) === data(b);
}

/** A rendered cluster.yml's data as Pharos reads it (Psych 3.0.2's rules: quoting, tags, merges); undefined when it is not YAML (a merge conflict). */
function readRendered(content: string): unknown {
  try {
    const document = parseDocument(content, { version: '1.1', uniqueKeys: false, logLevel: 'error' });
    if (document.errors.length > 0) return undefined;
    // The output folder arrives in pull requests: an alias bomb is refused before Psych's reading expands it.
    checkAliasBudget(document, content);
    return readAsPsych(document).data;
  } catch {
    return undefined;
  }
}

/**
 * The rendered cluster.yml files of an output folder that cannot be read back as YAML, such as one
 * left with a git merge conflict: their record of the cluster's subnet is lost, and the way out is to
 * render them again, since they are derived from the inventory. Warnings: synth repairs them, and
 * check reports them as differences.
 */
export function damagedClusterFiles(tree: OutputTree, outdir: string, base?: { readonly ref: string; readonly commit: string }): Problem[] {
  const problems: Problem[] = [];
  for (const { cluster, file, content } of pharosConfigs(tree)) {
    // A conflict is found by its lines, and a file laid out plainly records its subnet as lines: only
    // the others are parsed (a 2,000-peer file takes the yaml package ~15 ms; synth over 256 unchanged
    // clusters would spend seconds here). Any other damage in a plain file still shows in check's diff.
    const line = conflictLine(content);
    if (line === undefined && (recordFromLines(content) !== undefined || readRendered(content) !== undefined)) continue;
    if (base) {
      // A base commit's file (plan --base): not the working tree's, which synth renders and check
      // compares; no file and line to annotate, since the pull request's file at that line is another.
      problems.push({
        severity: 'warning',
        cluster,
        rule: 'output-unreadable',
        message: `${outdir}/${file} in the base ${base.ref} (${base.commit.slice(0, 12)})${line !== undefined ? `, line ${line},` : ''} ${line !== undefined ? 'holds a git merge conflict' : 'is not valid YAML'}, so the base records no state of cluster ${cluster}: this plan cannot say what changes for it; merging replaces the file with what this branch renders`,
      });
      continue;
    }
    problems.push({
      severity: 'warning',
      file: `${outdir}/${file}`,
      ...(line !== undefined ? { line } : {}),
      cluster,
      rule: 'output-unreadable',
      message: `${line !== undefined ? 'holds a git merge conflict' : 'is not valid YAML'}, so it no longer records the subnet of cluster ${cluster}; it is derived from the inventory: run npm run synth to render it again, and commit the result (resolve conflicts in ${outdir}/ that way, never by hand)`,
    });
  }
  return problems;
}

/**
 * The subnets the output folder records for its clusters: the rendered cluster.yml is the record of
 * the subnet each running cluster's pods have. Empty when there is no output folder yet.
 */
export function recordedSubnets(outdir: string): Map<string, string> {
  const record = new Map<string, string>();
  // Only the cluster.yml files: the record needs nothing else, and synth reads the whole folder once more to compare.
  for (const [cluster, { subnet }] of recordsOf(readOutputTree(outdir, (file) => pharosConfigCluster(file) !== undefined))) if (subnet) record.set(cluster, subnet);
  return record;
}

/** A rendered file as YAML data, read as Pharos reads a cluster.yml, or undefined when absent or unreadable. */
// A rendered file of any shape (the output folder is untrusted input): each caller checks every value it reads.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function readYaml(tree: OutputTree, file: string): any {
  const content = tree.get(file);
  return content === undefined ? undefined : readRendered(content);
}
