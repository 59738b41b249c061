import { Chart, Testing } from 'cdk8s';
import { DEFAULT_ROUTE_AGENT_IMAGE, RouteAgent, RouteAgentProps } from '../constructs/route-agent';

function render(props: Partial<RouteAgentProps> = {}) {
  const chart = new Chart(Testing.app(), 'test');
  new RouteAgent(chart, 'agent', { routedSubnets: ['10.34.0.0/16', '10.35.0.0/16'], ...props });
  const objects = Testing.synth(chart);
  expect(objects).toHaveLength(1);
  return objects[0];
}

describe('RouteAgent', () => {
  const daemonSet = render();
  const pod = daemonSet.spec.template.spec;
  const container = pod.containers[0];

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

  it('rolls out one node at a time', () => {
    expect(daemonSet.spec.updateStrategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } });
  });

  it('is not privileged: NET_ADMIN only (not CAP_NET_ADMIN), read-only root, no escalation, no service account token', () => {
    expect(container.securityContext).toEqual({
      privileged: false,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsUser: 0,
      runAsNonRoot: false,
      capabilities: { drop: ['ALL'], add: ['NET_ADMIN'] },
    });
    expect(pod.automountServiceAccountToken).toBe(false);
  });

  it('asks for small resources', () => {
    expect(container.resources).toEqual({ requests: { cpu: '10m', memory: '16Mi' }, limits: { cpu: '100m', memory: '32Mi' } });
  });

  it('runs its whole program from command/args, with a pinned default image', () => {
    expect(container.image).toBe(DEFAULT_ROUTE_AGENT_IMAGE);
    expect(DEFAULT_ROUTE_AGENT_IMAGE).toMatch(/:\d+\.\d+\.\d+$/);
    expect(container.command).toEqual(['/bin/sh', '-c']);
    expect(container.args).toHaveLength(1);
    expect(container.args[0]).toContain('desired="10.34.0.0/16 10.35.0.0/16"\n');
    expect(container.args[0]).toContain('ip route replace "$cidr" dev weave src "$src" proto "$mark" metric "$mark"');
    expect(pod.volumes).toBeUndefined();
  });

  it('is ready only when every desired route is present', () => {
    expect(container.readinessProbe.exec.command.slice(0, 2)).toEqual(['/bin/sh', '-c']);
    expect(container.readinessProbe.exec.command[2]).toContain('grep -qx "$cidr $src" || exit 1');
    expect(container.readinessProbe.periodSeconds).toBe(10);
  });

  it('takes image, interval and route mark as options', () => {
    const custom = render({ image: 'registry.example.org/alpine:3.20.3', intervalSeconds: 5, routeMark: 200 });
    const customContainer = custom.spec.template.spec.containers[0];
    expect(customContainer.image).toBe('registry.example.org/alpine:3.20.3');
    expect(customContainer.args[0]).toContain('\ninterval=5\n');
    expect(customContainer.args[0]).toContain('\nmark=200\n');
    expect(customContainer.readinessProbe.periodSeconds).toBe(5);
  });

  it.each([
    [{ intervalSeconds: 0 }, /intervalSeconds must be a whole number of seconds from 1 to 3600, not 0/],
    [{ intervalSeconds: 2.5 }, /intervalSeconds must be a whole number/],
    [{ routeMark: 2 }, /routeMark must be a route protocol number from 5 to 254/],
    [{ routedSubnets: ['10.34.0.0/16; reboot'] }, /refusing to render "10\.34\.0\.0\/16; reboot" into a shell script/],
  ])('refuses invalid options %j', (props, message) => {
    expect(() => render(props as Partial<RouteAgentProps>)).toThrow(message);
  });
});
