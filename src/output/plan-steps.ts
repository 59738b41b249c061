/** The steps to run by hand once a change is merged, derived from the change and the two trees. */
import * as fs from 'fs';
import { ARGOCD_FOLDER, fluxFolder, PHAROS_CONFIG_FILE, TEARDOWN_FOLDER } from './layout';
import { Plan } from './plan-change';
import { readYaml, workersIn } from './plan-state';
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
  readonly cluster: string;
  /** What to run, one command per entry. */
  readonly commands: readonly string[];
  /** Why. */
  readonly why: string;
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
