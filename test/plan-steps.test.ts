import { Plan } from '../src/output/plan-change';
import { nextSteps } from '../src/output/plan-steps';

const empty: Plan = { clustersAdded: [], clustersRemoved: [], clusters: [], warnings: [], files: [] };
const config = (workers: string[]) => `hosts:\n  - address: 192.0.2.10\n    role: master\n${workers.map((address) => `  - address: ${address}\n    role: worker\n`).join('')}`;

describe('next steps derived from a change', () => {
  it('asks for nothing when nothing changes', () => {
    expect(nextSteps(empty, new Map(), new Map(), 'dist')).toEqual([]);
  });

  it('asks for pharos up where a cluster.yml changes, naming the path under the output folder', () => {
    const plan: Plan = { ...empty, clusters: [{ cluster: 'a', routesAdded: [], routesRemoved: [], peersAdded: ['1.2.3.4'], peersRemoved: [] }], files: [{ file: 'a/pharos/cluster.yml', change: 'modified' }] };
    const [step, ...rest] = nextSteps(plan, new Map(), new Map(), 'dist');
    expect(rest).toEqual([]);
    expect(step.commands).toEqual(['pharos up -c dist/a/pharos/cluster.yml']);
    expect(step.why).toMatch(/^cluster a's known_peers change \(\+1\)/);
  });

  it('gives a joining cluster its first pharos up, a leaving one the teardown and weave rmpeer', () => {
    const plan: Plan = { ...empty, clustersAdded: [{ cluster: 'c', subnet: '10.35.0.0/16' }], clustersRemoved: [{ cluster: 'b', subnet: '10.34.0.0/16' }] };
    const steps = nextSteps(plan, new Map([['b/pharos/cluster.yml', config(['198.51.100.11'])]]), new Map(), 'dist');
    expect(steps.map(({ cluster, commands }) => [cluster, commands[0]])).toEqual([
      ['c', 'pharos up -c dist/c/pharos/cluster.yml'],
      ['b', 'kubectl --context <b> -n kube-system delete daemonset route-config'],
      ['b', 'weave rmpeer <peer>'],
    ]);
    expect(steps[2].why).toContain('198.51.100.11');
  });
});
