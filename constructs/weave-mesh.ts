import { Construct } from 'constructs';
import { MeshSpec } from '../src/mesh/model';
import { ARGOCD_FOLDER, fluxFolder, SYNCED_FOLDER, TEARDOWN_FOLDER } from '../src/output/layout';
import { ArgoCdApplicationSet } from './argo-cd-application-set';
import { ClusterChart, RouteAgentSettings } from './cluster-chart';
import { FluxSync } from './flux-sync';
import { GitOpsSettings, resolveGitOpsSettings } from './gitops-settings';
import { OutputChart } from './output-chart';
import { RouteAgentTeardown } from './route-agent-teardown';

export interface WeaveMeshProps {
  /** The validated inventory. */
  readonly mesh: MeshSpec;
  /**
   * Route agent settings shared by every cluster.
   * @default - the RouteAgent defaults
   */
  readonly routeAgent?: RouteAgentSettings;
  /**
   * Where the output lives in git and which GitOps tools sync it.
   * @default - see GitOpsSettings
   */
  readonly gitops?: GitOpsSettings;
}

/**
 * The multi-cluster Weave pod network: one ClusterChart per cluster of the inventory, in name order,
 * the Argo CD / Flux manifests that sync each cluster's folder to that cluster, and the route
 * agent's teardown for a cluster that leaves.
 */
export class WeaveMesh extends Construct {
  public readonly mesh: MeshSpec;
  public readonly clusters: readonly ClusterChart[];

  public constructor(scope: Construct, id: string, props: WeaveMeshProps) {
    super(scope, id);
    this.mesh = props.mesh;
    const gitops = resolveGitOpsSettings(props.gitops);
    this.clusters = props.mesh.clusters.map(
      (cluster) => new ClusterChart(this, cluster.name, { mesh: props.mesh, cluster, routeAgent: props.routeAgent }),
    );
    const { name: _agentName, ...teardownSettings } = props.routeAgent ?? {};
    new RouteAgentTeardown(new OutputChart(this, '_teardown', { folder: TEARDOWN_FOLDER }), 'RouteAgentTeardown', teardownSettings);
    if (gitops.tools.includes('argocd')) {
      const hub = new OutputChart(this, 'argocd', { folder: ARGOCD_FOLDER });
      new ArgoCdApplicationSet(hub, 'ApplicationSet', { settings: gitops, syncedFolder: SYNCED_FOLDER });
    }
    if (gitops.tools.includes('flux')) {
      for (const chart of this.clusters) {
        // No kustomization.yaml here: flux bootstrap adds its flux-system/ folder beside these files.
        const hub = new OutputChart(this, `flux-${chart.cluster.name}`, { folder: fluxFolder(chart.cluster.name), kustomization: false });
        new FluxSync(hub, 'Sync', { settings: gitops, path: `${gitops.pathPrefix}/${chart.folder}` });
      }
    }
  }
}
