import { PHAROS_DEFAULT_POD_NETWORK_CIDR, PHAROS_DEFAULT_SERVICE_CIDR } from '../src/mesh/pharos-defaults';
import * as path from 'path';
import { clustersOf, damagedClusterFiles, hostsIn, meshStateOf, passwordIn, recordsOf, sameSettings, stateFromLines } from '../src/output/plan-state';
import { readTree, REPO } from './helpers';

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

  it('lists a cluster\'s hosts, masters too, and its password file, as its cluster.yml does', () => {
    const tree = new Map([[file('cluster-a'), config('10.33.0.0/16').replace('  weave:\n', '  weave:\n    password: ../../../clusters/shared_password\n')]]);
    expect(hostsIn(tree, 'cluster-a')).toEqual([{ address: '192.0.2.10', role: 'master' }, { address: '192.0.2.11', role: 'worker' }]);
    expect(hostsIn(new Map(), 'cluster-a')).toEqual([]);
    expect(passwordIn(tree, 'cluster-a')).toBe('../../../clusters/shared_password');
  });

  it('tells a change of comments from a change of settings', () => {
    const before = new Map([[file('a'), `# from a.yml\n${config('10.33.0.0/16')}`]]);
    expect(sameSettings(before, 'a', new Map([[file('a'), `# from a.yaml\n${config('10.33.0.0/16')}`]]), 'a')).toBe(true);
    expect(sameSettings(before, 'a', new Map([[file('z'), config('10.33.0.0/16')]]), 'z')).toBe(true);
    expect(sameSettings(before, 'a', new Map([[file('a'), config('10.33.0.0/16').replace('198.51.100.11', '198.51.100.12')]]), 'a')).toBe(false);
  });

  it('reads a file laid out as synth writes it as lines, exactly as a full parse reads it', () => {
    const shipped = readTree(path.join(REPO, 'dist'));
    for (const cluster of ['cluster-a', 'cluster-b']) {
      const content = shipped.get(file(cluster))!;
      expect(stateFromLines(content)).toBeDefined();
      expect(stateFromLines(content)).toEqual(meshStateOf(new Map([[file(cluster), content.replace(/^network:/m, 'network: # parsed')]])).get(cluster));
    }
  });

  it.each([
    ['a peer that YAML 1.1 reads as no string', 'known_peers:\n      - 198.51.100.11\n      - on\n'],
    ['a flow list', 'known_peers: [198.51.100.11]\n'],
    ['a quoted peer', 'known_peers:\n      - "198.51.100.11"\n'],
    ['known_peers twice', 'known_peers:\n      - 198.51.100.11\n    known_peers:\n      - 198.51.100.12\n'],
    ['a continuation deeper than the list', 'known_peers:\n      - 198.51.100.11\n        - x\n'],
  ])('parses the file instead when its peers are not plain lines: %s', (_name, peers) => {
    const content = `hosts: []\nnetwork:\n  pod_network_cidr: 10.32.0.0/12\n  weave:\n    ipalloc_default_subnet: 10.33.0.0/16\n    ${peers}`;
    expect(stateFromLines(content)).toBeUndefined();
  });

  it('never reads known_peers outside network.weave as the peers', () => {
    const content = 'hosts: []\nnetwork:\n  pod_network_cidr: 10.32.0.0/12\n  weave:\n    ipalloc_default_subnet: 10.33.0.0/16\n  firewalld:\n    known_peers:\n      - 198.51.100.11\n';
    expect(stateFromLines(content)).toBeUndefined();
    expect(meshStateOf(new Map([[file('a'), content]])).get('a')!.peers).toEqual([]);
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
