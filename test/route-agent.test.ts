// Needs: busybox
import { Chart, Testing } from 'cdk8s';
import { DEFAULT_ROUTE_AGENT_IMAGE, RouteAgent, RouteAgentProps } from '../constructs/route-agent';
import { spawnSync } from 'child_process';
import * as path from 'path';
import { compactAddresses, compactPrivateAddresses, probeAddress } from '../constructs/route-agent-script';
import { busyboxPath } from './netns';
import { RouteAgentTeardown, RouteAgentTeardownProps } from '../constructs/route-agent-teardown';

function render(props: Partial<RouteAgentProps> = {}) {
  const chart = new Chart(Testing.app(), 'test');
  new RouteAgent(chart, 'agent', { localSubnet: '10.33.0.0/16', routedSubnets: ['10.34.0.0/16', '10.35.0.0/16'], ...props });
  const objects = Testing.synth(chart);
  expect(objects).toHaveLength(1);
  return objects[0];
}

function renderTeardown(props: RouteAgentTeardownProps = {}) {
  const chart = new Chart(Testing.app(), 'test');
  new RouteAgentTeardown(chart, 'teardown', props);
  return Testing.synth(chart)[0];
}

describe('RouteAgent', () => {
  const daemonSet = render();
  const pod = daemonSet.spec.template.spec;
  const container = pod.containers[0];
  const script: string = container.args[0];
  const probe: string = container.readinessProbe.exec.command[2];

  it('is an apps/v1 DaemonSet named route-config in kube-system', () => {
    expect(daemonSet.apiVersion).toBe('apps/v1');
    expect(daemonSet.kind).toBe('DaemonSet');
    expect(daemonSet.metadata).toEqual({ name: 'route-config', namespace: 'kube-system', labels: { name: 'route-config' } });
  });

  it('selects and labels pods with exactly name: route-config, so it adopts a hand-applied reference DaemonSet', () => {
    expect(daemonSet.spec.selector).toEqual({ matchLabels: { name: 'route-config' } });
    expect(daemonSet.spec.template.metadata).toEqual({ labels: { name: 'route-config' } });
    expect(JSON.stringify(daemonSet)).not.toContain('cdk8s.io');
  });

  it('runs on every node before anything else: host network, node-critical, tolerating all NoSchedule taints', () => {
    expect(pod.hostNetwork).toBe(true);
    expect(pod.priorityClassName).toBe('system-node-critical');
    expect(pod.tolerations).toEqual([
      { operator: 'Exists', effect: 'NoSchedule' },
      { operator: 'Exists', effect: 'NoExecute' },
    ]);
    expect(pod.dnsPolicy).toBe('Default');
  });

  it('rolls out one node at a time, and stops quickly since it leaves its state in place', () => {
    expect(daemonSet.spec.updateStrategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } });
    expect(pod.terminationGracePeriodSeconds).toBe(5);
  });

  it('is not privileged: NET_ADMIN and NET_RAW (not CAP_-prefixed), read-only root, no escalation, no token', () => {
    expect(container.securityContext).toEqual({
      privileged: false,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsUser: 0,
      runAsNonRoot: false,
      capabilities: { drop: ['ALL'], add: ['NET_ADMIN', 'NET_RAW'] },
    });
    expect(pod.automountServiceAccountToken).toBe(false);
  });

  it("keeps NET_RAW with iptables-nft too: its iptables-save needs a raw socket to print Weave's -m set rules", () => {
    const nft = render({ iptablesBackend: 'nft' }).spec.template.spec.containers[0];
    expect(nft.securityContext.capabilities).toEqual({ drop: ['ALL'], add: ['NET_ADMIN', 'NET_RAW'] });
    expect(nft.args[0]).toContain('\niptables_setting=nft\n');
    expect(script).toContain('\niptables_setting=auto\n');
  });

  it('shares the host xtables lock, so iptables-legacy waits for Weave and kube-proxy', () => {
    expect(pod.volumes[0]).toEqual({ name: 'xtables-lock', hostPath: { path: '/run/xtables.lock', type: 'FileOrCreate' } });
    expect(container.volumeMounts[0]).toEqual({ name: 'xtables-lock', mountPath: '/run/xtables.lock' });
    expect(script).toContain('"$restore" -w 5 --noflush');
  });

  it("carries the other clusters' peers, one line per cluster, to name Weave's links (only in the agent, not its probe)", () => {
    const withPeers = render({
      peers: [
        { cluster: 'cluster-b', addresses: ['198.51.100.11', 'node-b2.example.org'] },
        { cluster: 'cluster-c', addresses: ['203.0.113.11'] },
      ],
    });
    const agentScript: string = withPeers.spec.template.spec.containers[0].args[0];
    expect(agentScript).toContain('\npeers="cluster-b 198.51.100.11 node-b2.example.org;cluster-c 203.0.113.11"\n');
    expect(withPeers.spec.template.spec.containers[0].readinessProbe.exec.command[2]).not.toContain('198.51.100.11');
    expect(compactAddresses(['10.0.0.3', '10.0.0.1', '10.0.0.2', '10.0.0.255', '10.0.1.0', 'node.example.org', '192.0.2.9', '10.0.0.1'])).toEqual(['10.0.0.1+2', '10.0.0.255+1', '192.0.2.9', 'node.example.org']);
    expect(() => render({ peers: [{ cluster: 'b', addresses: ['$(reboot)'] }] })).toThrow('route agent: refusing to render "$(reboot)" into a shell script: not a cluster name or peer address');
  });

  it("renders a caller's peers as they are at each render, and exactly what it checked: never a value kept from before, never one read after the check", () => {
    const peersOf = (object: Record<string, any>): string => /\npeers=(.*)\n/.exec(object.spec.template.spec.containers[0].args[0])![1];
    const addresses = ['198.51.100.11'];
    const peers = { cluster: 'cluster-b', addresses };
    expect(peersOf(render({ peers: [peers] }))).toBe('"cluster-b 198.51.100.11"');
    // The same object, changed: rendered as it is now.
    addresses.push('198.51.100.20');
    expect(peersOf(render({ peers: [peers] }))).toBe('"cluster-b 198.51.100.11 198.51.100.20"');
    addresses.push('$(reboot)');
    expect(() => render({ peers: [peers] })).toThrow('route agent: refusing to render "$(reboot)" into a shell script');
    // A getter that answers differently on a later read: each field is read once per render, so what is rendered is what was checked.
    let reads = 0;
    const changing = {
      cluster: 'cluster-c',
      get addresses() {
        return ++reads === 1 ? ['203.0.113.11'] : ['$(reboot)'];
      },
    };
    expect(() => render({ peers: [changing] })).toThrow('route agent: refusing to render "$(reboot)" into a shell script');
    const word = { toString: () => (++reads % 2 === 0 ? 'cluster-d' : '$(reboot)') };
    expect(() => render({ peers: [{ cluster: word as unknown as string, addresses: [] }] })).toThrow('not a cluster name or peer address');
  });

  it("writes each worker's private address as PRIVATE=ADDRESS after the cluster's addresses, a run of both as FIRST+N=ADDRESS", () => {
    const privateAddresses = [
      { privateAddress: '10.1.0.12', address: '198.51.100.12' },
      { privateAddress: '10.1.0.11', address: '198.51.100.11' },
      { privateAddress: '10.1.0.255', address: '198.51.100.13' },
      { privateAddress: '10.1.1.0', address: '198.51.100.14' },
      // Consecutive private addresses of workers whose addresses are not: two entries.
      { privateAddress: '10.1.2.1', address: '198.51.100.20' },
      { privateAddress: '10.1.2.2', address: 'node-b9.example.org' },
    ];
    expect(compactPrivateAddresses(privateAddresses)).toEqual(['10.1.0.11+1=198.51.100.11', '10.1.0.255+1=198.51.100.13', '10.1.2.1=198.51.100.20', '10.1.2.2=node-b9.example.org']);
    const addresses = privateAddresses.map(({ address }) => address);
    const agentScript: string = render({ peers: [{ cluster: 'cluster-b', addresses, privateAddresses }] }).spec.template.spec.containers[0].args[0];
    expect(agentScript).toContain('\npeers="cluster-b 198.51.100.11+3 198.51.100.20 node-b9.example.org 10.1.0.11+1=198.51.100.11 10.1.0.255+1=198.51.100.13 10.1.2.1=198.51.100.20 10.1.2.2=node-b9.example.org"\n');
    expect(() => render({ peers: [{ cluster: 'b', addresses: ['198.51.100.11'], privateAddresses: [{ privateAddress: '10.1.0.11', address: '198.51.100.12' }] }] })).toThrow(
      "route agent: the private address 10.1.0.11 is given for 198.51.100.12, which is not one of cluster b's peer addresses",
    );
    expect(() =>
      render({
        peers: [
          {
            cluster: 'b',
            addresses: ['198.51.100.11', '198.51.100.12'],
            privateAddresses: [
              { privateAddress: '10.1.0.11', address: '198.51.100.11' },
              { privateAddress: '10.1.0.11', address: '198.51.100.12' },
            ],
          },
        ],
      }),
    ).toThrow('route agent: the private address 10.1.0.11 is given twice for cluster b');
    expect(() => render({ peers: [{ cluster: 'b', addresses: ['198.51.100.11'], privateAddresses: [{ privateAddress: '$(reboot)', address: '198.51.100.11' }] }] })).toThrow(
      'route agent: refusing to render "$(reboot)" into a shell script: not an IPv4 address, as a private peer address must be',
    );
  });

  it("keeps its status file (Weave's links per cluster) in a small in-memory emptyDir that `weave-mesh status` reads", () => {
    expect(pod.volumes[1]).toEqual({ name: 'status', emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } });
    expect(container.volumeMounts[1]).toEqual({ name: 'status', mountPath: '/run/weave-mesh' });
    expect(container.securityContext.readOnlyRootFilesystem).toBe(true);
    expect(script).toContain('status_dir=${WEAVE_MESH_STATUS_DIR:-/run/weave-mesh}');
  });

  // The figures come from scripts/measure-agent.sh (root; a node with 40,000 rules), tabled in docs/operations.md: this test checks only
  // that the rendered DaemonSet carries them, not that they fit, which needs root and a measurement.
  it('asks for the resources measured for a 40,000-rule node: requests 50m CPU / 64Mi, limits 1 CPU / 192Mi', () => {
    expect(container.resources).toEqual({ requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '1', memory: '192Mi' } });
  });

  it('runs from the pinned weave-kube image of the Weave version Pharos deploys', () => {
    expect(container.image).toBe(DEFAULT_ROUTE_AGENT_IMAGE);
    expect(DEFAULT_ROUTE_AGENT_IMAGE).toBe('docker.io/weaveworks/weave-kube:2.6.5');
    expect(container.imagePullPolicy).toBe('IfNotPresent');
    expect(container.command).toEqual(['/bin/sh', '-c']);
    expect(container.args).toHaveLength(1);
  });

  it("renders the desired routes, rules and probe addresses into the programs' preambles", () => {
    expect(script).toContain('\nlocal_subnet=10.33.0.0/16\ndesired="10.34.0.0/16 10.35.0.0/16"\n');
    expect(probe).toContain('\nlocal_subnet=10.33.0.0/16\ndesired="10.34.0.0/16 10.35.0.0/16"\n');
    expect(probe).toContain('\nprobes="10.34.0.1 10.35.0.1"\n');
  });

  // That a rollout then loses no connection is test/route-agent.e2e.test.ts's case 7.
  it('on SIGTERM, runs a handler that deletes no route and calls no iptables', () => {
    // The trap stops the loop (stop_body) and says so; it removes nothing (route-agent-programs.test.ts runs it).
    const trap = /^trap '(.*)' TERM INT$/m.exec(script)![1];
    expect(trap).toBe('trap "" TERM INT; stop_body; log "stopping; routes and firewall rules stay in place for the next route-config pod"; exit 0');
    const stopBody = /stop_body\(\) \{([\s\S]*?)\n\}/.exec(script)![1];
    expect(stopBody).not.toMatch(/ip route del|remove_|iptables/);
  });

  // What the probe decides is tested by running it: test/route-agent-programs.test.ts and the e2e test's case 10.
  it('runs the probe every interval, bounded to 9 s by the probe itself (Kubernetes 1.18 ignores timeoutSeconds)', () => {
    expect(container.readinessProbe.exec.command.slice(0, 2)).toEqual(['/bin/sh', '-c']);
    expect(container.readinessProbe.periodSeconds).toBe(10);
    // The probe stops itself after 9 s (Kubernetes 1.18 does not enforce timeoutSeconds on exec probes).
    expect(probe).toContain('\nprobe_limit=9\n');
    expect(container.readinessProbe.timeoutSeconds).toBe(10);
  });

  it('takes image, interval and route protocol as options', () => {
    const custom = render({ image: 'registry.example.org/weaveworks/weave-kube:2.6.5', intervalSeconds: 5, routeProtocol: 200 });
    const customContainer = custom.spec.template.spec.containers[0];
    expect(customContainer.image).toBe('registry.example.org/weaveworks/weave-kube:2.6.5');
    expect(customContainer.args[0]).toContain('\nproto=200\ninterval=5\n');
    expect(customContainer.readinessProbe.periodSeconds).toBe(5);
  });

  it.each([
    [{ intervalSeconds: 0 }, /intervalSeconds must be a whole number of seconds from 1 to 3600, not 0/],
    [{ intervalSeconds: 2.5 }, /intervalSeconds must be a whole number/],
    [{ routeProtocol: 2 }, /routeProtocol must be a route protocol number from 5 to 254 that no routing daemon uses/],
    [{ routeProtocol: 186 }, /186-189 and 192 to BGP/],
    [{ iptablesBackend: 'both' }, /iptablesBackend must be auto, legacy or nft, not "both"/],
    [{ routedSubnets: ['10.34.0.0/16; reboot'] }, /refusing to render "10\.34\.0\.0\/16; reboot" into a shell script/],
    [{ localSubnet: "10.33.0.0/16'" }, /refusing to render "10\.33\.0\.0\/16'" into a shell script/],
  ])('refuses invalid options %j', (props, message) => {
    expect(() => render(props as Partial<RouteAgentProps>)).toThrow(message);
  });
});

describe('the rules the agent owns', () => {
  /** What constructs/agent/desired.sh derives from a preamble's local_subnet and desired, run by BusyBox sh as on the node. */
  function derived(localSubnet: string, desired: string): { forward: string; nat: string } {
    const file = path.join(__dirname, '..', 'constructs', 'agent', 'desired.sh');
    const result = spawnSync(path.join(busyboxPath(), 'sh'), ['-c', `local_subnet=${localSubnet}; desired="${desired}"; . "$0"; printf '%s\\n--\\n%s' "$forward_rules" "$nat_rules"`, file], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    const [forward, nat] = result.stdout.split('\n--\n');
    return { forward, nat };
  }

  it("lets the cluster's pods out to each other subnet through weave, and nothing else", () => {
    expect(derived('10.33.0.0/16', '10.34.0.0/16 10.35.0.0/16').forward).toBe('-A WMESH-FORWARD -s 10.33.0.0/16 -d 10.34.0.0/16 -i weave -o weave -j ACCEPT\n-A WMESH-FORWARD -s 10.33.0.0/16 -d 10.35.0.0/16 -i weave -o weave -j ACCEPT');
  });

  it('exempts pod traffic between the cluster and each other subnet from masquerading, both ways', () => {
    expect(derived('10.33.0.0/16', '10.34.0.0/16').nat).toBe('-A WMESH-POSTROUTING -s 10.33.0.0/16 -d 10.34.0.0/16 -o weave -j ACCEPT\n-A WMESH-POSTROUTING -s 10.34.0.0/16 -d 10.33.0.0/16 -o weave -j ACCEPT');
  });

  it('has no rules in a mesh of one cluster', () => {
    expect(derived('10.33.0.0/16', '')).toEqual({ forward: '', nat: '' });
  });

  it.each([
    ['10.34.0.0/16', '10.34.0.1'],
    ['10.40.4.0/30', '10.40.4.1'],
    ['10.255.255.252/30', '10.255.255.253'],
  ])('probes %s at its first host address %s', (subnet, address) => {
    expect(probeAddress(subnet)).toBe(address);
  });
});

describe('RouteAgentTeardown', () => {
  const daemonSet = renderTeardown();
  const container = daemonSet.spec.template.spec.containers[0];

  it("is a DaemonSet of its own name with the agent's image and rights", () => {
    expect(daemonSet.metadata).toEqual({ name: 'route-config-teardown', namespace: 'kube-system', labels: { name: 'route-config-teardown' } });
    expect(container.image).toBe(DEFAULT_ROUTE_AGENT_IMAGE);
    expect(container.securityContext.capabilities).toEqual({ drop: ['ALL'], add: ['NET_ADMIN', 'NET_RAW'] });
  });

  it('takes the route protocol and backend setting into its programs (what they do: test/route-agent-programs.test.ts)', () => {
    const nft = renderTeardown({ iptablesBackend: 'nft', routeProtocol: 99 }).spec.template.spec.containers[0];
    expect(nft.args[0]).toContain('\nproto=99\ninterval=10\niptables_setting=nft\n');
    expect(nft.readinessProbe.exec.command[2]).toContain('\nproto=99\niptables_setting=nft\nprobe_limit=9\n');
  });
});
