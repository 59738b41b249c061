import { Document } from 'yaml';
import { knownPeers, routedSubnets } from '../src/mesh/derive';
import { ClusterSpec, MeshSpec } from '../src/mesh/model';

function cluster(name: string, subnet: string, workers: string[], extraPeers: string[] = []): ClusterSpec {
  return {
    name,
    source: `${name}.yml`,
    baseDir: 'clusters',
    document: new Document({}),
    config: {},
    hosts: [{ address: `${name}-master`, role: 'master' }, ...workers.map((address) => ({ address, role: 'worker' as const }))],
    serviceCidr: '172.16.0.0/16',
    podNetworkCidr: '10.32.0.0/12',
    subnet,
    passwordFile: './shared_password',
    extraPeers,
  };
}

const a = cluster('a', '10.33.0.0/16', ['192.0.2.11', '192.0.2.2']);
const b = cluster('b', '10.34.0.0/16', ['198.51.100.11'], ['203.0.113.5', '192.0.2.11']);
const c = cluster('c', '10.40.0.0/20', ['203.0.113.11']);
const mesh: MeshSpec = { clusters: [a, b, c] };

describe('knownPeers', () => {
  it('is every worker of every other cluster, never masters, never its own, in address order', () => {
    expect(knownPeers(mesh, a)).toEqual(['198.51.100.11', '203.0.113.11']);
    expect(knownPeers(mesh, c)).toEqual(['192.0.2.2', '192.0.2.11', '198.51.100.11']);
  });

  it("adds the cluster's own extra peers without duplicates", () => {
    expect(knownPeers(mesh, b)).toEqual(['192.0.2.2', '192.0.2.11', '203.0.113.5', '203.0.113.11']);
  });

  it('is empty for a mesh of one cluster', () => {
    expect(knownPeers({ clusters: [a] }, a)).toEqual([]);
  });
});

describe('routedSubnets', () => {
  it("routes every other cluster's subnet exactly once and never its own", () => {
    expect(routedSubnets(mesh, a)).toEqual(['10.34.0.0/16', '10.40.0.0/20']);
    expect(routedSubnets(mesh, b)).toEqual(['10.33.0.0/16', '10.40.0.0/20']);
    expect(routedSubnets(mesh, c)).toEqual(['10.33.0.0/16', '10.34.0.0/16']);
  });
});
