import { Construct } from 'constructs';
import { firewalldPeers, knownPeers, peersByCluster, routedSubnets } from '../src/mesh/derive';
import { ClusterSpec, MeshSpec } from '../src/mesh/model';
import { PHAROS_FOLDER, SYNCED_FOLDER } from '../src/output/layout';
import { OutputChart } from './output-chart';
import { PharosClusterFile, rebase } from './pharos-cluster-file';
import { RouteAgent, RouteAgentProps } from './route-agent';

/** Route agent settings that are the same for every cluster; the routes themselves are derived. */
export type RouteAgentSettings = Omit<RouteAgentProps, 'routedSubnets' | 'localSubnet' | 'peers'>;

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
  /**
   * The output folder, relative to the working directory: paths in the Pharos config are rebased to it.
   * @default 'dist'
   */
  readonly outdir?: string;
}

/**
 * Everything one cluster needs to join the mesh: the Kubernetes objects its GitOps folder syncs
 * (the chart's API objects, in `<cluster>/kubernetes`) and its complete Pharos cluster.yml (kept
 * outside that folder, in `<cluster>/pharos`).
 */
export class ClusterChart extends OutputChart {
  public readonly cluster: ClusterSpec;
  public readonly knownPeers: readonly string[];
  public readonly routedSubnets: readonly string[];
  public readonly pharosConfig: PharosClusterFile;
  /** The Weave password file, named from the output folder. */
  public readonly passwordFile: string;
  public readonly routeAgent: RouteAgent;

  public constructor(scope: Construct, id: string, props: ClusterChartProps) {
    super(scope, id, { folder: `${props.cluster.name}/${SYNCED_FOLDER}`, source: props.cluster.source });
    this.cluster = props.cluster;
    this.knownPeers = knownPeers(props.mesh, props.cluster);
    this.routedSubnets = routedSubnets(props.mesh, props.cluster);
    this.passwordFile = rebase(props.cluster.passwordFile, props.cluster.baseDir, props.outdir ?? 'dist');
    this.pharosConfig = new PharosClusterFile(this, 'PharosConfig', {
      cluster: props.cluster,
      knownPeers: this.knownPeers,
      otherPeers: () => firewalldPeers(props.mesh, props.cluster),
      folder: `${props.outdir ?? 'dist'}/${props.cluster.name}/${PHAROS_FOLDER}`,
    });
    this.routeAgent = new RouteAgent(this, 'RouteAgent', { ...props.routeAgent, localSubnet: props.cluster.subnet, routedSubnets: this.routedSubnets, peers: peersByCluster(props.mesh, props.cluster) });
  }
}
