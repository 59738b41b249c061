import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { NodeAgentSettings, nodeAgentDaemonSet, resolveNodeAgentSettings } from './node-agent-daemon-set';
import { ClusterPeers, routeAgentProbeScript, routeAgentScript } from './route-agent-script';

export { DEFAULT_ROUTE_AGENT_IMAGE } from './node-agent-daemon-set';

export interface RouteAgentProps extends NodeAgentSettings {
  /** The cluster's own subnet (`ipalloc_default_subnet`), as a canonical IPv4 CIDR. */
  readonly localSubnet: string;

  /** Subnets of the other clusters, as canonical IPv4 CIDRs, that every node routes over its `weave` bridge. */
  readonly routedSubnets: readonly string[];

  /**
   * The other clusters' Weave peers (their workers' addresses), by cluster: the agent names each of
   * Weave's connections after its cluster and reports the links per cluster (docs/status.md).
   * @default - no report of Weave's links
   */
  readonly peers?: readonly ClusterPeers[];

  /**
   * Name of the DaemonSet, its container and its `name` label. Keep the default to adopt a
   * DaemonSet applied by hand from the Pharos documentation.
   * @default 'route-config'
   */
  readonly name?: string;
}

/**
 * The DaemonSet that makes pod traffic to the other clusters flow on every node: one route per
 * other cluster's subnet over the `weave` bridge, a filter rule that lets the cluster's pods reach
 * those subnets through Weave's network policy controller, and a nat rule that keeps pod source
 * addresses between clusters. It reconciles all three every interval and leaves them in place when
 * it stops (see RouteAgentTeardown for removing them).
 */
export class RouteAgent extends Construct {
  /** The rendered DaemonSet. */
  public readonly daemonSet: ApiObject;

  public constructor(scope: Construct, id: string, props: RouteAgentProps) {
    super(scope, id);
    const settings = resolveNodeAgentSettings(props);
    const options = { ...settings, localSubnet: props.localSubnet, routedSubnets: props.routedSubnets, peers: props.peers };
    this.daemonSet = nodeAgentDaemonSet(this, 'Resource', {
      ...settings,
      name: props.name ?? 'route-config',
      script: routeAgentScript(options),
      probe: routeAgentProbeScript(options),
      statusVolume: true,
    });
  }
}
