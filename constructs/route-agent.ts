import { ApiObject } from 'cdk8s';
// The typed Kubernetes API classes cdk8s-plus-27 ships, without loading all of cdk8s-plus (faster start-up).
import * as k8s from 'cdk8s-plus-27/lib/imports/k8s';
import { Construct } from 'constructs';
import { routeAgentProbeScript, routeAgentScript } from './route-agent-script';

/** Alpine ships BusyBox `ip`, `awk` and `sleep`, all the agent needs. Pinned so a render never changes under a floating tag. */
export const DEFAULT_ROUTE_AGENT_IMAGE = 'docker.io/library/alpine:3.20.3';

export interface RouteAgentProps {
  /** Subnets of the other clusters, as canonical IPv4 CIDRs, that every node routes over its `weave` bridge. */
  readonly routedSubnets: readonly string[];

  /**
   * Container image with a POSIX `sh` and BusyBox or iproute2 `ip`.
   * @default DEFAULT_ROUTE_AGENT_IMAGE
   */
  readonly image?: string;

  /**
   * Seconds between two reconciliations; a route lost with the weave bridge is back within this time.
   * @default 10
   */
  readonly intervalSeconds?: number;

  /**
   * Route protocol number (5-254), also used as route metric, that marks the routes the agent owns.
   * Change it only if another tool on the nodes uses 87.
   * @default 87
   */
  readonly routeMark?: number;

  /**
   * Name of the DaemonSet, its container and its `name` label. Keep the default to adopt a
   * DaemonSet applied by hand from the Pharos documentation.
   * @default 'route-config'
   */
  readonly name?: string;

  /**
   * @default 'kube-system'
   */
  readonly namespace?: string;
}

/**
 * The DaemonSet that keeps one route per other cluster's subnet on every node's `weave` bridge.
 *
 * Built on the typed low-level `KubeDaemonSet` rather than cdk8s-plus's `DaemonSet`, because every
 * field matters here: cdk8s-plus would add a `cdk8s.io/metadata.addr` selector (an immutable-field
 * error against a hand-applied DaemonSet), render `NET_ADMIN` as `CAP_NET_ADMIN` (silently ignored by
 * runc), and add defaults (pull policy, resources, DNS policy) that are wrong for a host-network agent.
 */
export class RouteAgent extends Construct {
  /** The rendered DaemonSet. */
  public readonly daemonSet: ApiObject;

  public constructor(scope: Construct, id: string, props: RouteAgentProps) {
    super(scope, id);
    const name = props.name ?? 'route-config';
    const labels = { name };
    const scriptOptions = {
      routedSubnets: props.routedSubnets,
      intervalSeconds: props.intervalSeconds ?? 10,
      routeMark: props.routeMark ?? 87,
    };

    this.daemonSet = new k8s.KubeDaemonSet(this, 'Resource', {
      metadata: { name, namespace: props.namespace ?? 'kube-system', labels },
      spec: {
        selector: { matchLabels: labels },
        updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: k8s.IntOrString.fromNumber(1) } },
        template: {
          metadata: { labels },
          spec: {
            hostNetwork: true,
            // The agent resolves no names; Default uses the node's resolver and works before cluster DNS does.
            dnsPolicy: 'Default',
            priorityClassName: 'system-node-critical',
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            // Enough for the SIGTERM handler to remove the routes it owns.
            terminationGracePeriodSeconds: 30,
            tolerations: [
              { operator: 'Exists', effect: 'NoSchedule' },
              { operator: 'Exists', effect: 'NoExecute' },
            ],
            containers: [
              {
                name,
                image: props.image ?? DEFAULT_ROUTE_AGENT_IMAGE,
                imagePullPolicy: 'IfNotPresent',
                command: ['/bin/sh', '-c'],
                args: [routeAgentScript(scriptOptions)],
                readinessProbe: {
                  exec: { command: ['/bin/sh', '-c', routeAgentProbeScript(scriptOptions)] },
                  periodSeconds: scriptOptions.intervalSeconds,
                  timeoutSeconds: 5,
                  failureThreshold: 1,
                },
                resources: {
                  requests: { cpu: k8s.Quantity.fromString('10m'), memory: k8s.Quantity.fromString('16Mi') },
                  limits: { cpu: k8s.Quantity.fromString('100m'), memory: k8s.Quantity.fromString('32Mi') },
                },
                securityContext: {
                  privileged: false,
                  allowPrivilegeEscalation: false,
                  readOnlyRootFilesystem: true,
                  // Root with only NET_ADMIN: Kubernetes grants added capabilities to root only (no ambient set).
                  runAsUser: 0,
                  runAsNonRoot: false,
                  capabilities: { drop: ['ALL'], add: ['NET_ADMIN'] },
                },
              },
            ],
          },
        },
      },
    });
  }
}
