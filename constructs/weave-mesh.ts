import { Construct } from 'constructs';
import { MeshSpec } from '../src/mesh/model';
import { ClusterChart, RouteAgentSettings } from './cluster-chart';

export interface WeaveMeshProps {
  /** The validated inventory. */
  readonly mesh: MeshSpec;
  /**
   * Route agent settings shared by every cluster.
   * @default - the RouteAgent defaults
   */
  readonly routeAgent?: RouteAgentSettings;
}

/** The multi-cluster Weave pod network: one ClusterChart per cluster of the inventory, in name order. */
export class WeaveMesh extends Construct {
  public readonly mesh: MeshSpec;
  public readonly clusters: readonly ClusterChart[];

  public constructor(scope: Construct, id: string, props: WeaveMeshProps) {
    super(scope, id);
    this.mesh = props.mesh;
    this.clusters = props.mesh.clusters.map(
      (cluster) => new ClusterChart(this, cluster.name, { mesh: props.mesh, cluster, routeAgent: props.routeAgent }),
    );
  }
}
