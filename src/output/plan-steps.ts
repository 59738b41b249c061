/** The steps to run by hand once a change is merged, derived from the change and the two trees. */
import * as fs from 'fs';
import * as path from 'path';
import { ARGOCD_FOLDER, fluxFolder, PHAROS_CONFIG_FILE, pharosConfigCluster, TEARDOWN_FOLDER } from './layout';
import { GROUP_MIN, Plan } from './plan-change';
import { hostsIn, passwordIn, readYaml, sameSettings } from './plan-state';
import { OutputTree } from './tree';

/**
 * When a cluster leaves, the flux-system/ folder flux bootstrap committed for it in the hub stays
 * (synth never deletes what bootstrap wrote): say so, and what to do with it.
 */
export function leftoverFluxFolders(outdir: string, leaving: readonly string[], shown = outdir): string[] {
  return leaving
    .filter((cluster) => fs.existsSync(`${outdir}/${fluxFolder(cluster)}/flux-system`))
    .map((cluster) => ({ cluster, folder: `${shown}/${fluxFolder(cluster)}/flux-system` }))
    .map(
      ({ cluster, folder }) =>
        `cluster ${cluster} leaves the mesh, but its Flux folder ${folder}/ (committed by flux bootstrap) stays: synth never deletes it. Once Flux no longer syncs that cluster (flux uninstall), remove it with git rm -r ${folder}`,
    );
}

/** One thing to do by hand after the change is merged: GitOps syncs only the `kubernetes/` folders. */
export interface NextStep {
  /** The clusters it is about. */
  readonly clusters: readonly string[];
  /** What to run, one command per entry (`# ...` entries are comments, such as "# or Argo CD:"); none when the step is only to know. */
  readonly commands: readonly string[];
  /** Why. */
  readonly why: string;
}

/** The GitOps tools a rendered tree is for: Flux's folders in the hub, Argo CD's ApplicationSet. */
export function gitopsTools(tree: OutputTree): { flux: boolean; argocd: boolean } {
  const files = [...tree.keys()];
  return { flux: files.some((file) => file.startsWith('_gitops/flux/')), argocd: files.some((file) => file.startsWith(`${ARGOCD_FOLDER}/`)) };
}

/** `flux bootstrap` for a cluster's hub folder, from its rendered GitRepository and Kustomization; undefined when Flux is not rendered for it. */
function fluxBootstrap(tree: OutputTree, cluster: string): string | undefined {
  const source = readYaml(tree, `${fluxFolder(cluster)}/flux-system.gitrepository.weave-mesh.yaml`)?.spec;
  const synced = readYaml(tree, `${fluxFolder(cluster)}/flux-system.kustomization.weave-mesh.yaml`)?.spec?.path;
  if (!source?.url || typeof synced !== 'string') return undefined;
  const bootstrapPath = synced.replace(/^\.\//, '').replace(new RegExp(`/${cluster}/kubernetes$`), `/${fluxFolder(cluster)}`);
  return `flux bootstrap git --url=${source.url} --branch=${source.ref?.branch ?? 'main'} --path=${bootstrapPath}`;
}

/** One step, or the two alternatives when both Flux and Argo CD are rendered: the mesh runs on one of them. */
function gitopsStep(clusters: readonly string[], flux: readonly string[], argocd: readonly string[], why: { flux: string; argocd: string }): NextStep | undefined {
  if (flux.length > 0 && argocd.length > 0) {
    return { clusters, commands: ['# with Flux:', ...flux, '# or with Argo CD:', ...argocd], why: `Flux or Argo CD, whichever syncs the mesh (both are rendered; do one): ${why.flux}; or ${why.argocd}` };
  }
  if (flux.length > 0) return { clusters, commands: flux, why: why.flux };
  if (argocd.length > 0) return { clusters, commands: argocd, why: why.argocd };
  return undefined;
}

/** Where a relative path of a rendered cluster.yml points, from the repository (Pharos resolves it from the file's folder). */
function fromConfigFolder(outdir: string, cluster: string, file: string): string {
  if (file.startsWith('/') || file.startsWith('~')) return file;
  return path.posix.normalize(path.posix.join(outdir, cluster, path.posix.dirname(PHAROS_CONFIG_FILE), file));
}

/** Steps with the same reason for GROUP_MIN or more clusters become one, naming every cluster and running every command. */
function merged(steps: readonly NextStep[]): NextStep[] {
  const byWhy = new Map<string, { clusters: string[]; commands: string[]; why: string }>();
  for (const step of steps) {
    const same = byWhy.get(step.why);
    if (same) {
      same.clusters.push(...step.clusters);
      same.commands.push(...step.commands);
    } else byWhy.set(step.why, { clusters: [...step.clusters], commands: [...step.commands], why: step.why });
  }
  return [...byWhy.values()].flatMap((step) => (step.clusters.length >= GROUP_MIN ? [step] : steps.filter((one) => one.why === step.why)));
}

/**
 * What must be run by hand once the change is merged, derived from the change, each step once: Argo
 * CD and Flux carry only the `kubernetes/` folders, so a cluster.yml whose settings change (known_peers,
 * firewalld's trusted_subnets) reaches a cluster only through `pharos up` (a change of comments asks for
 * nothing); a new cluster needs its first `pharos up` with the mesh's peers and the password file, and
 * a hook-up to the GitOps tool(s) rendered; a renamed cluster keeps its nodes and moves its paths; hub
 * objects that change are applied again; a cluster that leaves needs the teardown and `weave rmpeer` of
 * every one of its nodes. `outdir` is the output folder as the operator names it (`dist`).
 */
export function nextSteps(plan: Plan, onDisk: OutputTree, rendered: OutputTree, outdir: string): NextStep[] {
  const steps: NextStep[] = [];
  const pharosUp = (cluster: string) => `pharos up -c ${outdir}/${cluster}/${PHAROS_CONFIG_FILE}`;
  const tools = gitopsTools(rendered);
  const argocdAdd = (cluster: string) => (tools.argocd ? [`argocd cluster add <context of ${cluster}> --name ${cluster}`] : []);
  const bootstrap = (cluster: string) => (tools.flux ? [fluxBootstrap(rendered, cluster) ?? []].flat() : []);

  for (const { from, to, subnet } of plan.clustersRenamed) {
    const settingsSame = sameSettings(onDisk, from, rendered, to);
    steps.push({
      clusters: [to],
      commands: settingsSame ? [] : [pharosUp(to)],
      why: `cluster ${from} is renamed ${to}: the same hosts and subnet ${subnet}, so its nodes stay in the mesh (no teardown, no weave rmpeer); its cluster.yml is now ${outdir}/${to}/${PHAROS_CONFIG_FILE}, the path for pharos up -c from now on${settingsSame ? ', and its settings are unchanged, so nothing needs to run now' : ''}`,
    });
    const gitops = gitopsStep([to], tools.flux ? [`flux --context <context of ${to}> suspend kustomization flux-system   # before merging`, ...bootstrap(to), `flux --context <context of ${to}> resume kustomization flux-system`] : [], tools.argocd ? [`argocd cluster set ${from} --name ${to}`] : [], {
      flux: `Flux on the cluster was bootstrapped on ${outdir}/${fluxFolder(from)}, which empties on merge: suspend it before, so it prunes nothing, then bootstrap it on ${outdir}/${fluxFolder(to)} (the objects keep their names) and git rm -r ${outdir}/${fluxFolder(from)}/flux-system`,
      argocd: `Argo CD's ApplicationSet now makes Application weave-mesh-${to} for the Argo CD cluster named ${to} (weave-mesh-${from} goes, leaving what it deployed in place): rename the registered cluster`,
    });
    if (gitops) steps.push(gitops);
  }

  for (const { cluster } of plan.clustersAdded) {
    const password = passwordIn(rendered, cluster);
    steps.push({
      clusters: [cluster],
      commands: [pharosUp(cluster)],
      why: `cluster ${cluster} joins: its first pharos up must already have the mesh's known_peers, or its Weave forms a ring of its own that never merges ("IP allocation was seeded by different peers")${password ? `; the mesh's Weave password file must exist at ${fromConfigFolder(outdir, cluster, password)} in the checkout pharos up runs from (it is never in git, so a fresh clone or CI lacks it)` : ''}`,
    });
    const gitops = gitopsStep([cluster], bootstrap(cluster), argocdAdd(cluster), {
      flux: `Flux on cluster ${cluster} syncs its route agent from the hub folder ${outdir}/${fluxFolder(cluster)}`,
      argocd: `Argo CD's ApplicationSet deploys ${outdir}/${cluster}/kubernetes to the Argo CD cluster named ${cluster}`,
    });
    if (gitops) steps.push(gitops);
  }

  // Hub objects that change (repoURL, revision, pathPrefix): nothing syncs them, they are applied by hand.
  const changed = (file: string) => plan.files.some((change) => change.file === file && change.change === 'modified');
  if (plan.files.some(({ file, change }) => file.startsWith(`${ARGOCD_FOLDER}/`) && change !== 'removed') && [...onDisk.keys()].some((file) => file.startsWith(`${ARGOCD_FOLDER}/`))) {
    steps.push({
      clusters: [],
      commands: [`kubectl --context <context of the Argo CD cluster> apply -k ${outdir}/${ARGOCD_FOLDER}`],
      why: `the ApplicationSet changes (its repoURL, revision or path), and nothing syncs it: apply it again where Argo CD runs`,
    });
  }
  const joiningOrRenamed = new Set([...plan.clustersAdded.map(({ cluster }) => cluster), ...plan.clustersRenamed.map(({ to }) => to)]);
  const rebootstrap = [...rendered.keys()]
    .flatMap((file) => /^_gitops\/flux\/clusters\/([^/]+)\/flux-system\.(gitrepository|kustomization)\.weave-mesh\.yaml$/.exec(file)?.[1] ?? [])
    .filter((cluster, index, all) => all.indexOf(cluster) === index && !joiningOrRenamed.has(cluster))
    .filter((cluster) => ['gitrepository', 'kustomization'].some((kind) => changed(`${fluxFolder(cluster)}/flux-system.${kind}.weave-mesh.yaml`)));
  if (rebootstrap.length > 0) {
    steps.push({
      clusters: rebootstrap,
      commands: rebootstrap.flatMap((cluster) => bootstrap(cluster)),
      why: `the Flux source or path changes (repoURL, revision or pathPrefix): bootstrap Flux again on each cluster's hub folder, so its own sync follows`,
    });
  }

  const pharosUps: NextStep[] = [];
  const peers = new Map(plan.clusters.map((cluster) => [cluster.cluster, cluster]));
  for (const { file, change } of plan.files) {
    const cluster = pharosConfigCluster(file);
    if (change !== 'modified' || cluster === undefined) continue;
    const peerChange = peers.get(cluster);
    const peersChange = peerChange && (peerChange.peersAdded.length > 0 || peerChange.peersRemoved.length > 0);
    // Only comments changed (a cluster-c.yml renamed cluster-c.yaml): Pharos reads nothing new.
    if (!peersChange && sameSettings(onDisk, cluster, rendered, cluster)) continue;
    const what = peersChange
      ? `known_peers change (${[peerChange.peersAdded.length > 0 ? `+${peerChange.peersAdded.length}` : '', peerChange.peersRemoved.length > 0 ? `-${peerChange.peersRemoved.length}` : ''].filter(Boolean).join(', ')})`
      : `cluster.yml settings change`;
    pharosUps.push({ clusters: [cluster], commands: [pharosUp(cluster)], why: `${what}, and GitOps does not carry cluster.yml: only pharos up hands known_peers to Weave (its flying-shuttle ConfigMap) and trusted_subnets to firewalld` });
  }
  steps.push(...merged(pharosUps).map((step) => ({ ...step, why: `${step.clusters.length === 1 ? `cluster ${step.clusters[0]}'s` : `${step.clusters.length} clusters'`} ${step.why}` })));

  const remaining = [...rendered.keys()].flatMap((file) => pharosConfigCluster(file) ?? [])[0];
  for (const { cluster } of plan.clustersRemoved) {
    steps.push({
      clusters: [cluster],
      commands: [
        `kubectl --context <context of ${cluster}> -n kube-system delete daemonset route-config`,
        `kubectl --context <context of ${cluster}> apply -k ${outdir}/${TEARDOWN_FOLDER}`,
        `kubectl --context <context of ${cluster}> -n kube-system rollout status daemonset route-config-teardown`,
        `kubectl --context <context of ${cluster}> delete -k ${outdir}/${TEARDOWN_FOLDER}`,
      ],
      why: `cluster ${cluster} leaves: its agent's routes and rules stay on its nodes until the teardown removes them (with Flux, suspend or delete its Kustomization first; Argo CD keeps the DaemonSet running)`,
    });
    const hosts = hostsIn(onDisk, cluster);
    if (remaining === undefined) continue;
    steps.push({
      clusters: [cluster],
      commands: [`kubectl --context <context of ${remaining}> -n kube-system exec ds/weave-net -c weave -- /home/weave/weave --local rmpeer ${hosts.length > 0 ? hosts.map(({ address }) => `<hostname of ${address}>`).join(' ') : `<nickname of each node of ${cluster}>`}`],
      why: `once cluster ${cluster}'s Weave is gone, on ONE remaining peer (never on several), remove every Weave peer of its nodes, masters too (${hosts.length > 0 ? hosts.map(({ address, role }) => `${role} ${address}`).join(', ') : 'its cluster.yml lists none'}): weave rmpeer takes a node's nickname, which is its hostname (weave-kube passes $HOSTNAME as --nickname), or its peer name (weave status ipam lists both, marked unreachable); otherwise their share of the pod network is never reused`,
    });
  }
  return steps;
}
