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

/**
 * When a step is run: most once the change is merged, a few before it is (suspending Flux on a renamed
 * cluster, whose synced folder empties on merge). Each format shows them under their own heading.
 */
export type StepPhase = 'before-merge' | 'after-merge';

/** One thing to do by hand around the merge: GitOps syncs only the `kubernetes/` folders. */
export interface NextStep {
  /** Before the change is merged, or once it is. */
  readonly phase: StepPhase;
  /** The clusters it is about. */
  readonly clusters: readonly string[];
  /** What to run, one command per entry (`# ...` entries are comments, such as "# or Argo CD:"); none when the step is only to know. */
  readonly commands: readonly string[];
  /** Why. */
  readonly why: string;
}

/** A step as it is derived: after the merge unless it says otherwise. */
type Draft = Omit<NextStep, 'phase'> & { readonly phase?: StepPhase };

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
function gitopsStep(clusters: readonly string[], flux: readonly string[], argocd: readonly string[], why: { flux: string; argocd: string }): Draft | undefined {
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
function merged(steps: readonly Draft[]): Draft[] {
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
  const steps: Draft[] = [];
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
    // Flux's suspend must happen before the merge, so it comes under its own heading, not among the
    // steps run once this is merged.
    if (tools.flux) {
      steps.push({
        phase: 'before-merge',
        clusters: [to],
        commands: [`flux --context <context of ${from}> suspend kustomization flux-system`],
        why: `${tools.argocd ? 'if Flux syncs the mesh: ' : ''}Flux on cluster ${from} was bootstrapped on ${outdir}/${fluxFolder(from)}, which empties on merge: suspend it before merging, so it prunes nothing`,
      });
    }
    const gitops = gitopsStep([to], tools.flux ? [...bootstrap(to), `flux --context <context of ${to}> resume kustomization flux-system`] : [], tools.argocd ? [`argocd cluster set ${from} --name ${to}`] : [], {
      flux: `Flux on the cluster, suspended before the merge, was bootstrapped on ${outdir}/${fluxFolder(from)}: bootstrap it on ${outdir}/${fluxFolder(to)} (the objects keep their names), resume it, and git rm -r ${outdir}/${fluxFolder(from)}/flux-system`,
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

  // Hub objects that change (repoURL, revision, pathPrefix): nothing syncs them, they are applied by
  // hand, with the GitOps tool that syncs the mesh (one step: "Flux or Argo CD" when both are rendered).
  const changed = (file: string) => plan.files.some((change) => change.file === file && change.change === 'modified');
  const applicationSetChanges = plan.files.some(({ file, change }) => file.startsWith(`${ARGOCD_FOLDER}/`) && change !== 'removed') && [...onDisk.keys()].some((file) => file.startsWith(`${ARGOCD_FOLDER}/`));
  const joiningOrRenamed = new Set([...plan.clustersAdded.map(({ cluster }) => cluster), ...plan.clustersRenamed.map(({ to }) => to)]);
  const rebootstrap = [...rendered.keys()]
    .flatMap((file) => /^_gitops\/flux\/clusters\/([^/]+)\/flux-system\.(gitrepository|kustomization)\.weave-mesh\.yaml$/.exec(file)?.[1] ?? [])
    .filter((cluster, index, all) => all.indexOf(cluster) === index && !joiningOrRenamed.has(cluster))
    .filter((cluster) => ['gitrepository', 'kustomization'].some((kind) => changed(`${fluxFolder(cluster)}/flux-system.${kind}.weave-mesh.yaml`)));
  const hub = gitopsStep(
    rebootstrap,
    rebootstrap.flatMap((cluster) => bootstrap(cluster)),
    applicationSetChanges ? [`kubectl --context <context of the Argo CD cluster> apply -k ${outdir}/${ARGOCD_FOLDER}`] : [],
    {
      flux: `the Flux source or path changes (repoURL, revision or pathPrefix): bootstrap Flux again on each cluster's hub folder, so its own sync follows`,
      argocd: `the ApplicationSet changes (its repoURL, revision or path), and nothing syncs it: apply it again where Argo CD runs`,
    },
  );
  if (hub) steps.push(hub);

  const pharosUps: Draft[] = [];
  const peers = new Map(plan.clusters.map((cluster) => [cluster.cluster, cluster]));
  for (const { file, change } of plan.files) {
    const cluster = pharosConfigCluster(file);
    if (change !== 'modified' || cluster === undefined) continue;
    const peerChange = peers.get(cluster);
    const peersChange = peerChange && (peerChange.peersAdded.length > 0 || peerChange.peersRemoved.length > 0);
    // Only comments changed (a cluster-c.yml renamed cluster-c.yaml): Pharos reads nothing new.
    if (!peersChange && sameSettings(onDisk, cluster, rendered, cluster)) continue;
    if (peersChange) {
      const what = `known_peers change (${[peerChange.peersAdded.length > 0 ? `+${peerChange.peersAdded.length}` : '', peerChange.peersRemoved.length > 0 ? `-${peerChange.peersRemoved.length}` : ''].filter(Boolean).join(', ')})`;
      pharosUps.push({ clusters: [cluster], commands: [pharosUp(cluster)], why: `${what}, and GitOps does not carry cluster.yml: only pharos up hands known_peers to Weave (its flying-shuttle ConfigMap) and trusted_subnets to firewalld` });
      continue;
    }
    // Not its peers: say what else changes, when it is its hosts (a worker added). Parsed only when the
    // text before `network:` (where synth writes hosts) differs: 256 clusters of 2,000 peers a file.
    const head = (tree: OutputTree) => (tree.get(file) ?? '').split(/^network:/m)[0];
    const parse = head(onDisk) !== head(rendered);
    const [before, after] = parse ? [hostsIn(onDisk, cluster), hostsIn(rendered, cluster)].map((hosts) => hosts.map(({ address }) => address)) : [[], []];
    const hostsAdded = after.filter((address) => !before.includes(address));
    const hostsRemoved = before.filter((address) => !after.includes(address));
    const hosts = [...hostsAdded.map((address) => `+${address}`), ...hostsRemoved.map((address) => `-${address}`)];
    pharosUps.push({
      clusters: [cluster],
      commands: [pharosUp(cluster)],
      why:
        hosts.length > 0
          ? `hosts change (${hosts.join(', ')}), and GitOps does not carry cluster.yml: only pharos up sets up a node that joins (and the other clusters learn it as a peer by their own pharos up)`
          : `cluster.yml settings change, and GitOps does not carry cluster.yml: only pharos up hands known_peers to Weave (its flying-shuttle ConfigMap) and trusted_subnets to firewalld`,
    });
  }
  steps.push(...merged(pharosUps).map((step) => ({ ...step, why: `${step.clusters.length === 1 ? `cluster ${step.clusters[0]}'s` : `${step.clusters.length} clusters'`} ${step.why}` })));

  const remaining = [...rendered.keys()].flatMap((file) => pharosConfigCluster(file) ?? [])[0];
  for (const { cluster } of plan.clustersRemoved) {
    steps.push({
      clusters: [cluster],
      commands: [
        `kubectl --context <context of ${cluster}> -n kube-system delete daemonset route-config --ignore-not-found`,
        `kubectl --context <context of ${cluster}> apply -k ${outdir}/${TEARDOWN_FOLDER}`,
        `kubectl --context <context of ${cluster}> -n kube-system rollout status daemonset route-config-teardown`,
        `kubectl --context <context of ${cluster}> delete -k ${outdir}/${TEARDOWN_FOLDER}`,
      ],
      why: `cluster ${cluster} leaves: its agent's routes and rules stay on its nodes until the teardown removes them (with Flux, suspend or delete its Kustomization first; Argo CD keeps the DaemonSet running; if Flux has already pruned it, the delete finds nothing and goes on)`,
    });
    const hosts = hostsIn(onDisk, cluster);
    if (remaining === undefined) continue;
    steps.push({
      clusters: [cluster],
      commands: [
        `kubectl --context <context of ${remaining}> -n kube-system exec ds/weave-net -c weave -- /home/weave/weave --local rmpeer ${hosts.length > 0 ? hosts.map(({ address }) => `<hostname of ${address}>`).join(' ') : `<nickname of each node of ${cluster}>`}`,
      ],
      why: `once cluster ${cluster}'s Weave is gone, on ONE remaining peer (never on several), remove every Weave peer of its nodes, masters too (${hosts.length > 0 ? hosts.map(({ address, role }) => `${role} ${address}`).join(', ') : 'its cluster.yml lists none'}): weave rmpeer takes a node's nickname, which is its hostname (weave-kube passes $HOSTNAME as --nickname), or its peer name (weave status ipam lists both, marked unreachable); otherwise their share of the pod network is never reused`,
    });
  }
  // Before-merge steps first, each phase in the order derived.
  const phased = steps.map((step): NextStep => ({ ...step, phase: step.phase ?? 'after-merge' }));
  return [...phased.filter((step) => step.phase === 'before-merge'), ...phased.filter((step) => step.phase === 'after-merge')];
}
