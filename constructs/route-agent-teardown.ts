import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { NodeAgentSettings, nodeAgentDaemonSet, resolveNodeAgentSettings } from './node-agent-daemon-set';
import { routeAgentTeardownProbeScript, routeAgentTeardownScript } from './route-agent-script';

export interface RouteAgentTeardownProps extends NodeAgentSettings {
  /**
   * Name of the DaemonSet, its container and its `name` label.
   * @default 'route-config-teardown'
   */
  readonly name?: string;
}

/**
 * The step that takes the route agent off a cluster: a DaemonSet that removes, on every node, every
 * route and firewall rule the agent added (its route protocol, its chains and their jumps) and
 * nothing else, then idles; each pod is ready once its node is clean. Not part of any cluster's
 * synced folder: it is applied by hand to a cluster that leaves the mesh, then deleted.
 */
export class RouteAgentTeardown extends Construct {
  /** The rendered DaemonSet. */
  public readonly daemonSet: ApiObject;

  public constructor(scope: Construct, id: string, props: RouteAgentTeardownProps = {}) {
    super(scope, id);
    const settings = resolveNodeAgentSettings(props);
    this.daemonSet = nodeAgentDaemonSet(this, 'Resource', {
      ...settings,
      name: props.name ?? 'route-config-teardown',
      script: routeAgentTeardownScript(settings),
      probe: routeAgentTeardownProbeScript(settings),
    });
  }
}
