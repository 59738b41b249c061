import * as k8s from 'cdk8s-plus-27/lib/imports/k8s';
import { Construct } from 'constructs';
import { IptablesBackend, probeLimitSeconds } from './route-agent-script';

/**
 * The `weave-kube` image Pharos already runs on every node as the `weave-net` DaemonSet: alpine with
 * BusyBox, a full iproute2 (`ip route show proto N` filters), iptables-legacy and iptables-nft (the
 * same tools Weave writes its own rules with) and ipset. Pinned to the Weave version Pharos deploys.
 */
export const DEFAULT_ROUTE_AGENT_IMAGE = 'docker.io/weaveworks/weave-kube:2.6.5';

/** What the agent and its teardown have in common: where they run and with what rights. */
export interface NodeAgentSettings {
  /**
   * Container image with a POSIX `sh`, BusyBox `awk`/`grep`/`head`/`sleep`, iproute2 `ip` and
   * `iptables-legacy`/`iptables-nft` with their `-save`/`-restore` tools. Point it at a mirror of
   * the default if your nodes pull from one; keep it pinned.
   * @default DEFAULT_ROUTE_AGENT_IMAGE
   */
  readonly image?: string;

  /**
   * The iptables the agent writes to. `auto` uses the one that holds Weave's own rules on the node
   * (Weave picks legacy or nft when it starts); set `legacy` or `nft` only to override that.
   * @default 'auto'
   */
  readonly iptablesBackend?: IptablesBackend;

  /**
   * Route protocol number (5-254) that marks the routes the agent owns. Change it only if another
   * tool on the nodes uses 87.
   * @default 87
   */
  readonly routeProtocol?: number;

  /**
   * Seconds between two reconciliations, and between two readiness probes.
   * @default 10
   */
  readonly intervalSeconds?: number;

  /**
   * @default 'kube-system'
   */
  readonly namespace?: string;
}

export interface NodeAgentDaemonSetProps extends NodeAgentSettings {
  /** Name of the DaemonSet, its container and its `name` label. */
  readonly name: string;
  /** The program the container runs with `/bin/sh -c`. */
  readonly script: string;
  /** The readiness probe's program. */
  readonly probe: string;
  /**
   * Gives the container a small writable folder, STATUS_DIR (an emptyDir in memory), for the status
   * file the agent keeps and `weave-mesh status` reads through kubectl exec.
   * @default false
   */
  readonly statusVolume?: boolean;
}

/** Where the agent keeps its status file in the container (constructs/agent/links.sh). */
export const STATUS_DIR = '/run/weave-mesh';

/** The settings with their defaults applied. */
export function resolveNodeAgentSettings(settings: NodeAgentSettings): Required<NodeAgentSettings> {
  return {
    image: settings.image ?? DEFAULT_ROUTE_AGENT_IMAGE,
    iptablesBackend: settings.iptablesBackend ?? 'auto',
    routeProtocol: settings.routeProtocol ?? 87,
    intervalSeconds: settings.intervalSeconds ?? 10,
    namespace: settings.namespace ?? 'kube-system',
  };
}

/**
 * A host-network DaemonSet on every node that runs one shell program with exactly the rights it
 * needs: NET_ADMIN for routes and iptables; NET_RAW since iptables-legacy talks to the kernel
 * through a raw socket, and either backend's iptables-save needs one to print Weave's `-m set` rules. The host's xtables lock is
 * mounted so iptables-legacy waits for Weave and kube-proxy instead of racing them.
 *
 * Built on the typed low-level `KubeDaemonSet` rather than cdk8s-plus's `DaemonSet`, because every
 * field matters here: cdk8s-plus would add a `cdk8s.io/metadata.addr` selector (an immutable-field
 * error against a hand-applied DaemonSet), render `NET_ADMIN` as `CAP_NET_ADMIN` (silently ignored by
 * runc), and add defaults (pull policy, resources, DNS policy) that are wrong for a host-network agent.
 */
export function nodeAgentDaemonSet(scope: Construct, id: string, props: NodeAgentDaemonSetProps): k8s.KubeDaemonSet {
  const settings = resolveNodeAgentSettings(props);
  const labels = { name: props.name };
  return new k8s.KubeDaemonSet(scope, id, {
    metadata: { name: props.name, namespace: settings.namespace, labels },
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
          // The agent leaves its state in place on SIGTERM and exits at once.
          terminationGracePeriodSeconds: 5,
          tolerations: [
            { operator: 'Exists', effect: 'NoSchedule' },
            { operator: 'Exists', effect: 'NoExecute' },
          ],
          volumes: [{ name: 'xtables-lock', hostPath: { path: '/run/xtables.lock', type: 'FileOrCreate' } }, ...(props.statusVolume ? [{ name: 'status', emptyDir: { medium: 'Memory', sizeLimit: k8s.Quantity.fromString('1Mi') } }] : [])],
          containers: [
            {
              name: props.name,
              image: settings.image,
              imagePullPolicy: 'IfNotPresent',
              command: ['/bin/sh', '-c'],
              args: [props.script],
              readinessProbe: {
                exec: { command: ['/bin/sh', '-c', props.probe] },
                periodSeconds: settings.intervalSeconds,
                // The probe stops itself after probeLimitSeconds (Kubernetes 1.18 does not enforce this field).
                timeoutSeconds: probeLimitSeconds(settings.intervalSeconds) + 1,
                failureThreshold: 1,
              },
              // Measured on 40,000 rules (scripts/measure-agent.sh, iptables 1.8.9): an agent round takes 0.28-0.52 s
              // of CPU with legacy and 0.72 s with nft, the probe 0.24 s / 0.54 s, the largest process (iptables-save)
              // 20 MiB / 39 MiB; upstream iptables-nft 1.8.3 needs 63 MiB. The limits leave room for that, so a large
              // node neither throttles the probe past its period nor OOM-kills a save; the requests are the average.
              resources: {
                requests: { cpu: k8s.Quantity.fromString('50m'), memory: k8s.Quantity.fromString('64Mi') },
                limits: { cpu: k8s.Quantity.fromString('1'), memory: k8s.Quantity.fromString('192Mi') },
              },
              securityContext: {
                privileged: false,
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                // Root with only these capabilities: Kubernetes grants added capabilities to root only (no ambient set).
                runAsUser: 0,
                runAsNonRoot: false,
                capabilities: { drop: ['ALL'], add: ['NET_ADMIN', 'NET_RAW'] },
              },
              volumeMounts: [{ name: 'xtables-lock', mountPath: '/run/xtables.lock' }, ...(props.statusVolume ? [{ name: 'status', mountPath: STATUS_DIR }] : [])],
            },
          ],
        },
      },
    },
  });
}
