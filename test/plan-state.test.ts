import { PHAROS_DEFAULT_POD_NETWORK_CIDR, PHAROS_DEFAULT_SERVICE_CIDR } from '../src/mesh/pharos-defaults';
import { clustersOf, damagedClusterFiles, meshStateOf, recordsOf, workersIn } from '../src/output/plan-state';

const file = (cluster: string) => `${cluster}/pharos/cluster.yml`;
const config = (subnet: string, extra = '') =>
  `hosts:\n  - address: 192.0.2.10\n    role: master\n  - address: 192.0.2.11\n    role: worker\nnetwork:\n${extra}  weave:\n    ipalloc_default_subnet: ${subnet}\n    known_peers:\n      - 198.51.100.11\n`;

describe('reading a rendered tree\'s state', () => {
  it('knows its clusters from the file names alone, ignoring other files', () => {
    const tree = new Map([
      [file('cluster-a'), 'not: [parsed'],
      ['cluster-b/kubernetes/kustomization.yaml', ''],
      ['_teardown/kustomization.yaml', ''],
    ]);
    expect([...clustersOf(tree)]).toEqual(['cluster-a']);
  });

  it('reads subnet, pod network, service CIDR and peers, with Pharos\'s defaults from their one home', () => {
    const state = meshStateOf(new Map([[file('cluster-a'), config('10.33.0.0/16')]]));
    expect(state.get('cluster-a')).toEqual({ subnet: '10.33.0.0/16', podNetworkCidr: PHAROS_DEFAULT_POD_NETWORK_CIDR, serviceCidr: PHAROS_DEFAULT_SERVICE_CIDR, peers: ['198.51.100.11'] });
    expect([PHAROS_DEFAULT_POD_NETWORK_CIDR, PHAROS_DEFAULT_SERVICE_CIDR]).toEqual(['10.32.0.0/12', '10.96.0.0/12']);
    expect(recordsOf(new Map([[file('cluster-a'), config('10.33.0.0/16', '  pod_network_cidr: 10.0.0.0/8\n')]])).get('cluster-a')).toEqual({ subnet: '10.33.0.0/16', podNetworkCidr: '10.0.0.0/8' });
  });

  it('lists a cluster\'s workers as its cluster.yml does', () => {
    expect(workersIn(new Map([[file('cluster-a'), config('10.33.0.0/16')]]), 'cluster-a')).toEqual(['192.0.2.11']);
    expect(workersIn(new Map(), 'cluster-a')).toEqual([]);
  });

  it('reports a cluster.yml with a merge conflict as damaged, at its line, and records nothing for it', () => {
    const tree = new Map([[file('cluster-a'), `${config('10.33.0.0/16')}<<<<<<< HEAD\n=======\n>>>>>>> x\n`]]);
    const [problem, ...rest] = damagedClusterFiles(tree, 'dist');
    expect(rest).toEqual([]);
    expect(problem).toMatchObject({ severity: 'warning', file: `dist/${file('cluster-a')}`, cluster: 'cluster-a', rule: 'output-unreadable' });
    expect(problem.line).toBeGreaterThan(0);
    expect(meshStateOf(tree).size).toBe(0);
  });
});
