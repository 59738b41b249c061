import { Construct } from 'constructs';
import { knownPeers, routedSubnets } from '../src/mesh/derive';
import { ClusterSpec, MeshSpec } from '../src/mesh/model';
import { SYNCED_FOLDER } from '../src/output/layout';
import { OutputChart } from './output-chart';
import { PharosNetworkConfig } from './pharos-network-config';
import { RouteAgent, RouteAgentProps } from './route-agent';

/** Route agent settings that are the same for every cluster; the routes themselves are derived. */
export type RouteAgentSettings = Omit<RouteAgentProps, 'routedSubnets' | 'localSubnet'>;

export interface ClusterChartProps {
  /** The whole validated mesh, from which peers and routes are derived. */
  readonly mesh: MeshSpec;
  /** The cluster this chart renders. */
  readonly cluster: ClusterSpec;
  /**
   * Settings of the route agent.
   * @default - the RouteAgent defaults
   */
  readonly routeAgent?: RouteAgentSettings;
}

/**
 * Everything one cluster needs to join the mesh: the Kubernetes objects its GitOps folder syncs
 * (the chart's API objects, in `<cluster>/kubernetes`) and its Pharos network config (kept outside that folder).
 */
export class ClusterChart extends OutputChart {
  public readonly cluster: ClusterSpec;
  public readonly knownPeers: readonly string[];
  public readonly routedSubnets: readonly string[];
  public readonly pharosNetwork: PharosNetworkConfig;
  public readonly routeAgent: RouteAgent;

  public constructor(scope: Construct, id: string, props: ClusterChartProps) {
    super(scope, id, { folder: `${props.cluster.name}/${SYNCED_FOLDER}`, source: props.cluster.source });
    this.cluster = props.cluster;
    this.knownPeers = knownPeers(props.mesh, props.cluster);
    this.routedSubnets = routedSubnets(props.mesh, props.cluster);
    this.pharosNetwork = new PharosNetworkConfig(this, 'PharosNetwork', { cluster: props.cluster, knownPeers: this.knownPeers });
    this.routeAgent = new RouteAgent(this, 'RouteAgent', { ...props.routeAgent, localSubnet: props.cluster.subnet, routedSubnets: this.routedSubnets });
  }
}
