import { parseDocument } from 'yaml';
import { Problem } from '../mesh/problem';
import { conflictLine } from '../util/conflict';
import { subnetsRoutedBy } from '../mesh/derive';
import { compareAddresses } from '../net/cidr';
import * as fs from 'fs';
import { FileChange, fileChanges, FileDifference, readOutputTree } from './compare';
import { ARGOCD_FOLDER, fluxFolder, PHAROS_CONFIG_FILE, pharosConfigCluster, TEARDOWN_FOLDER } from './layout';
import { OutputTree } from './tree';
import { MAX_ALIAS_COUNT, readAsPsych } from '../util/psych-read';

/** What a rendered tree says about one cluster, read back from its Pharos network config. */
export interface ClusterState {
  readonly subnet: string;
  readonly podNetworkCidr: string;
  readonly serviceCidr: string;
  readonly peers: readonly string[];
}

export type MeshState = ReadonlyMap<string, ClusterState>;

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

/** Reads the mesh back from a rendered tree (the output folder, or a render in memory). */
export function meshStateOf(tree: OutputTree): MeshState {
  const state = new Map<string, ClusterState>();
  for (const { cluster, content } of pharosConfigs(tree)) {
    const document = readRendered(content);
    // A file that is no longer YAML (a merge conflict) records nothing: damagedClusterFiles says so.
    if (document === undefined) continue;
    const network = isMapping(document) && isMapping(document.network) ? document.network : {};
    state.set(cluster, {
      subnet: String(network.weave?.ipalloc_default_subnet ?? ''),
      // Pharos's defaults when the file sets none (lib/pharos/configuration/network.rb).
      podNetworkCidr: String(network.pod_network_cidr ?? '10.32.0.0/12'),
      serviceCidr: String(network.service_cidr ?? '10.96.0.0/12'),
      peers: Array.isArray(network.weave?.known_peers) ? network.weave.known_peers.map(String) : [],
    });
  }
  return state;
}

/** What a cluster.yml records that renumbers pods when it changes: the cluster's subnet and the pod network. */
export interface ClusterRecord {
  readonly subnet: string;
  readonly podNetworkCidr: string;
}

// network.pod_network_cidr and network.weave.ipalloc_default_subnet as plain CIDRs on lines of their own, in the usual layout.
const RECORD_LINES = { subnet: /^ {4}ipalloc_default_subnet: ([0-9./]+)(?: #.*)?\r?$/gm, podNetworkCidr: /^ {2}pod_network_cidr: ([0-9./]+)(?: #.*)?\r?$/gm };

/** Whether a file's two record lines can be read as lines: each name written once in the whole file (so in no other place, quoted, tagged or in flow style), in a block `network:` / `weave:` layout, with no merge key. */
function plainLayout(content: string, subnets: number, podNetworks: number): boolean {
  // Every occurrence outside comments: the name in a comment's prose (`# this cluster's own subnet
  // inside pod_network_cidr`) is not another spelling of the key, any other occurrence may be.
  const code = content.replace(/(^|[ \t])#.*$/gm, '$1');
  const count = (word: string) => code.split(word).length - 1;
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
  return { subnet: subnets[0][1], podNetworkCidr: podNetworks[0]?.[1] ?? '10.32.0.0/12' };
}

/** A rendered cluster.yml's data as Pharos reads it (Psych 3.0.2's rules: quoting, tags, merges); undefined when it is not YAML (a merge conflict). */
function readRendered(content: string): unknown {
  try {
    const document = parseDocument(content, { version: '1.1', uniqueKeys: false, logLevel: 'error' });
    if (document.errors.length > 0) return undefined;
    // The output folder arrives in pull requests: an alias bomb is refused before Psych's reading expands it.
    document.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    return readAsPsych(document).data;
  } catch {
    return undefined;
  }
}

function isMapping(value: unknown): value is Record<string, any> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The rendered cluster.yml files of an output folder that cannot be read back as YAML, such as one
 * left with a git merge conflict: their record of the cluster's subnet is lost, and the way out is to
 * render them again, since they are derived from the inventory. Warnings: synth repairs them, and
 * check reports them as differences.
 */
export function damagedClusterFiles(tree: OutputTree, outdir: string): Problem[] {
  const problems: Problem[] = [];
  for (const { cluster, file, content } of pharosConfigs(tree)) {
    // A conflict is found by its lines, and a file laid out plainly records its subnet as lines: only
    // the others are parsed (a 2,000-peer file takes the yaml package ~15 ms; synth over 256 unchanged
    // clusters would spend seconds here). Any other damage in a plain file still shows in check's diff.
    const line = conflictLine(content);
    if (line === undefined && (recordFromLines(content) !== undefined || readRendered(content) !== undefined)) continue;
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

/**
 * When a cluster leaves, the flux-system/ folder flux bootstrap committed for it in the hub stays
 * (synth never deletes what bootstrap wrote): say so, and what to do with it.
 */
export function leftoverFluxFolders(outdir: string, leaving: readonly string[]): string[] {
  return leaving
    .map((cluster) => ({ cluster, folder: `${outdir}/${fluxFolder(cluster)}/flux-system` }))
    .filter(({ folder }) => fs.existsSync(folder))
    .map(
      ({ cluster, folder }) =>
        `cluster ${cluster} leaves the mesh, but its Flux folder ${folder}/ (committed by flux bootstrap) stays: synth never deletes it. Once Flux no longer syncs that cluster (flux uninstall), remove it with git rm -r ${folder}`,
    );
}

/** The plan as Markdown, ready for a pull-request comment or the job summary. */
export function formatPlanMarkdown(plan: Plan, notes: readonly string[], outdir: string, steps: readonly NextStep[] = []): string {
  const lines = ['### weave-mesh plan', ''];
  const code = (items: readonly string[]) => items.map((item) => `\`${item}\``).join(', ');
  if (plan.files.length === 0) return [...lines, `No changes: \`${outdir}\` is what the inventory renders.`].join('\n');
  for (const warning of plan.warnings) lines.push(`> [!WARNING]`, `> ${warning}`, '');
  for (const note of notes) lines.push(`> [!NOTE]`, `> ${note}`, '');
  if (plan.clustersAdded.length > 0 || plan.clustersRemoved.length > 0) {
    lines.push('| | cluster | subnet |', '|---|---|---|');
    for (const { cluster, subnet } of plan.clustersAdded) lines.push(`| joins | ${cluster} | \`${subnet}\` |`);
    for (const { cluster, subnet } of plan.clustersRemoved) lines.push(`| leaves | ${cluster} | \`${subnet}\` |`);
    lines.push('');
  }
  if (plan.clusters.length > 0) {
    lines.push('| cluster | subnet | routes added | routes removed | peers added | peers removed |', '|---|---|---|---|---|---|');
    for (const cluster of plan.clusters) {
      const subnet = cluster.subnet ? `\`${cluster.subnet.from}\` → \`${cluster.subnet.to}\`` : '';
      lines.push(`| ${cluster.cluster} | ${subnet} | ${code(cluster.routesAdded)} | ${code(cluster.routesRemoved)} | ${code(cluster.peersAdded)} | ${code(cluster.peersRemoved)} |`);
    }
    lines.push('');
  }
  lines.push(...formatNextStepsMarkdown(steps));
  lines.push(`<details><summary>${plan.files.length} ${plan.files.length === 1 ? 'file changes' : 'files change'} in <code>${outdir}</code></summary>`, '');
  for (const { file, change } of plan.files) lines.push(`- ${change}: \`${file}\``);
  lines.push('', '</details>');
  return lines.join('\n');
}

/** The human summary printed before the raw diff. */
export function formatPlan(plan: Plan): string[] {
  const lines: string[] = [];
  const list = (label: string, items: readonly string[]) => (items.length > 0 ? [`${label} ${items.join(', ')}`] : []);
  for (const { cluster, subnet } of plan.clustersAdded) lines.push(`+ cluster ${cluster} joins the mesh with subnet ${subnet}`);
  for (const { cluster, subnet } of plan.clustersRemoved) lines.push(`- cluster ${cluster} leaves the mesh (subnet ${subnet}); see weave-mesh's docs/operations.md, Removing a cluster (weave rmpeer)`);
  for (const cluster of plan.clusters) {
    const parts = [
      ...(cluster.subnet ? [`subnet ${cluster.subnet.from} -> ${cluster.subnet.to}`] : []),
      ...(cluster.podNetworkCidr ? [`pod network ${cluster.podNetworkCidr.from} -> ${cluster.podNetworkCidr.to}`] : []),
      ...list('routes +', cluster.routesAdded),
      ...list('routes -', cluster.routesRemoved),
      ...list('peers +', cluster.peersAdded),
      ...list('peers -', cluster.peersRemoved),
    ];
    lines.push(`~ cluster ${cluster.cluster}: ${parts.join('; ')}`);
  }
  for (const warning of plan.warnings) lines.push(`WARNING: ${warning}`);
  const count = plan.files.length;
  lines.push(count === 0 ? 'no changes: the output folder is what the inventory renders' : `${count} ${count === 1 ? 'file changes' : 'files change'}`);
  return lines;
}

/** One thing to do by hand after the change is merged: GitOps syncs only the `kubernetes/` folders. */
export interface NextStep {
  readonly cluster: string;
  /** What to run, one command per entry. */
  readonly commands: readonly string[];
  /** Why. */
  readonly why: string;
}

/** A rendered file as YAML data, read as Pharos reads a cluster.yml, or undefined when absent or unreadable. */
function readYaml(tree: OutputTree, file: string): any {
  const content = tree.get(file);
  return content === undefined ? undefined : readRendered(content);
}

/** The worker addresses of a cluster as its rendered cluster.yml lists them. */
function workersIn(tree: OutputTree, cluster: string): string[] {
  const hosts = readYaml(tree, `${cluster}/${PHAROS_CONFIG_FILE}`)?.hosts;
  return Array.isArray(hosts) ? hosts.filter((host) => host?.role === 'worker').map((host) => String(host.address)) : [];
}

/**
 * What must be run by hand once the change is merged, derived from the change: Argo CD and Flux carry
 * only the `kubernetes/` folders, so a cluster.yml that changes (known_peers, firewalld's trusted_subnets)
 * reaches a cluster only through `pharos up`; a new cluster needs its first `pharos up` with the mesh's
 * peers, and a GitOps hook-up; a cluster that leaves needs the teardown and `weave rmpeer`.
 */
export function nextSteps(plan: Plan, onDisk: OutputTree, rendered: OutputTree, outdir: string): NextStep[] {
  const steps: NextStep[] = [];
  const pharosUp = (cluster: string) => `pharos up -c ${outdir}/${cluster}/${PHAROS_CONFIG_FILE}`;
  for (const { cluster } of plan.clustersAdded) {
    steps.push({
      cluster,
      commands: [pharosUp(cluster)],
      why: `cluster ${cluster} joins: its first pharos up must already have the mesh's known_peers, or its Weave forms a ring of its own that never merges ("IP allocation was seeded by different peers")`,
    });
    const flux = readYaml(rendered, `${fluxFolder(cluster)}/flux-system.gitrepository.weave-mesh.yaml`)?.spec;
    const synced = readYaml(rendered, `${fluxFolder(cluster)}/flux-system.kustomization.weave-mesh.yaml`)?.spec?.path;
    if (flux?.url && typeof synced === 'string') {
      const bootstrapPath = synced.replace(/^\.\//, '').replace(new RegExp(`/${cluster}/kubernetes$`), `/${fluxFolder(cluster)}`);
      steps.push({
        cluster,
        commands: [`flux bootstrap git --url=${flux.url} --branch=${flux.ref?.branch ?? 'main'} --path=${bootstrapPath}`],
        why: `Flux on cluster ${cluster} syncs its route agent from the hub folder ${outdir}/${fluxFolder(cluster)}`,
      });
    }
    if ([...rendered.keys()].some((file) => file.startsWith(`${ARGOCD_FOLDER}/`))) {
      steps.push({
        cluster,
        commands: [`argocd cluster add <context of ${cluster}> --name ${cluster}`],
        why: `Argo CD's ApplicationSet deploys ${outdir}/${cluster}/kubernetes to the Argo CD cluster named ${cluster}`,
      });
    }
  }
  const peers = new Map(plan.clusters.map((cluster) => [cluster.cluster, cluster]));
  const changedConfigs = plan.files
    .filter(({ change, file }) => change === 'modified' && file.endsWith(`/${PHAROS_CONFIG_FILE}`))
    .map(({ file }) => file.slice(0, -PHAROS_CONFIG_FILE.length - 1));
  for (const cluster of changedConfigs) {
    const change = peers.get(cluster);
    const what =
      change && (change.peersAdded.length > 0 || change.peersRemoved.length > 0)
        ? `cluster ${cluster}'s known_peers change (${[change.peersAdded.length > 0 ? `+${change.peersAdded.length}` : '', change.peersRemoved.length > 0 ? `-${change.peersRemoved.length}` : ''].filter(Boolean).join(', ')})`
        : `cluster ${cluster}'s cluster.yml changes`;
    steps.push({
      cluster,
      commands: [pharosUp(cluster)],
      why: `${what}, and GitOps does not carry cluster.yml: only pharos up hands known_peers to Weave (its flying-shuttle ConfigMap) and trusted_subnets to firewalld`,
    });
  }
  for (const { cluster } of plan.clustersRemoved) {
    const workers = workersIn(onDisk, cluster);
    steps.push({
      cluster,
      commands: [
        `kubectl --context <${cluster}> -n kube-system delete daemonset route-config`,
        `kubectl --context <${cluster}> apply -k ${outdir}/${TEARDOWN_FOLDER}`,
        `kubectl --context <${cluster}> -n kube-system rollout status daemonset route-config-teardown`,
        `kubectl --context <${cluster}> delete -k ${outdir}/${TEARDOWN_FOLDER}`,
      ],
      why: `cluster ${cluster} leaves: its agent's routes and rules stay on its nodes until the teardown removes them (with Flux, suspend or delete its Kustomization first; Argo CD keeps the DaemonSet running)`,
    });
    steps.push({
      cluster,
      commands: ['weave rmpeer <peer>'],
      why: `on one remaining Weave peer, for each peer of cluster ${cluster}'s nodes${workers.length > 0 ? ` (workers ${workers.join(', ')}; weave status ipam lists them as unreachable)` : ' (weave status ipam lists them as unreachable)'}: otherwise their share of the pod network is never reused`,
    });
  }
  return steps;
}

/** The next steps as text lines, after the plan's summary. */
export function formatNextSteps(steps: readonly NextStep[]): string[] {
  if (steps.length === 0) return [];
  return ['', 'next steps, once this is merged (Argo CD or Flux sync the kubernetes/ folders; everything else is by hand):', ...steps.flatMap(({ commands, why }) => [...commands.map((command) => `  $ ${command}`), `      ${why}`])];
}

/** The next steps as a Markdown section. */
export function formatNextStepsMarkdown(steps: readonly NextStep[]): string[] {
  if (steps.length === 0) return [];
  return ['#### Next steps, once this is merged', '', ...steps.flatMap(({ commands, why }) => [`- ${why}:`, '  ```sh', ...commands.map((command) => `  ${command}`), '  ```']), ''];
}

/** The plan comment when the inventory is invalid: the problems as a list, so the summary is never empty. */
export function formatInvalidMarkdown(problems: readonly string[], outdir: string): string {
  const errors = problems.filter((line) => line.startsWith('error: ')).length;
  return ['### weave-mesh plan', '', `**${errors} ${errors === 1 ? 'error' : 'errors'}** in the inventory; no plan was made for \`${outdir}\`. Fix these first:`, '', ...problems.map((line) => `- ${line.replace(/[<>&`]/g, (c) => `\\${c}`)}`)].join('\n');
}
