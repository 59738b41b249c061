import { Document } from 'yaml';
import { isMeshPeers, knownPeers, peersByCluster, routedSubnets } from '../src/mesh/derive';
import { ClusterSpec, HostSpec, MeshSpec } from '../src/mesh/model';

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

describe('peersByCluster', () => {
  const host = (address: string, privateAddress?: string, role: HostSpec['role'] = 'worker'): HostSpec => ({ address, role, ...(privateAddress ? { privateAddress } : {}) });
  const withHosts = (spec: ClusterSpec, hosts: HostSpec[]): ClusterSpec => ({ ...spec, hosts });

  it("is every other cluster's workers, by cluster in name order, one object per cluster shared by every other cluster's list", () => {
    expect(peersByCluster(mesh, b)).toEqual([
      { cluster: 'a', addresses: ['192.0.2.11', '192.0.2.2'] },
      { cluster: 'c', addresses: ['203.0.113.11'] },
    ]);
    expect(peersByCluster(mesh, a)[1]).toBe(peersByCluster(mesh, b)[1]);
    // Frozen, and known as the mesh's: the route agent keeps what it renders from these, and only from these.
    const [peers] = peersByCluster(mesh, b);
    expect(Object.isFrozen(peers) && Object.isFrozen(peers.addresses)).toBe(true);
    expect(isMeshPeers(peers)).toBe(true);
    expect(isMeshPeers({ ...peers })).toBe(false);
  });

  it("maps a worker's private address to its address, when nothing else in the mesh has that address", () => {
    const x = withHosts(a, [host('192.0.2.1', '10.1.0.1', 'master'), host('192.0.2.11', '10.1.0.11'), host('192.0.2.12', '10.1.0.12'), host('192.0.2.13', '192.0.2.13')]);
    const y = withHosts(b, [host('198.51.100.1', '10.2.0.1', 'master'), host('198.51.100.11', '10.2.0.11')]);
    const peers = peersByCluster({ clusters: [x, y] }, y);
    expect(peers).toEqual([
      {
        cluster: 'a',
        addresses: ['192.0.2.11', '192.0.2.12', '192.0.2.13'],
        // Not the master's (masters are not expected links), not one equal to the host's own address.
        privateAddresses: [
          { privateAddress: '10.1.0.11', address: '192.0.2.11' },
          { privateAddress: '10.1.0.12', address: '192.0.2.12' },
        ],
      },
    ]);
  });

  it('leaves out a private address another host of the mesh has too (clusters in separate networks reuse private ranges), or that is a host address or extra peer', () => {
    const x = withHosts(a, [host('192.0.2.1', '10.0.0.5', 'master'), host('192.0.2.11', '10.0.0.11'), host('192.0.2.12', '198.51.100.11'), host('192.0.2.14', '203.0.113.5'), host('192.0.2.15', '10.0.0.15')]);
    // b's worker 10.0.0.11 is private too: the same address in another network; b's master shares the master's 10.0.0.5.
    const y = withHosts(b, [host('198.51.100.1', '10.0.0.5', 'master'), host('198.51.100.11', '10.0.0.11'), host('198.51.100.12', '10.0.0.5')]);
    // Only 10.0.0.15 is a's alone.
    expect(peersByCluster({ clusters: [x, y] }, y)[0].privateAddresses).toEqual([{ privateAddress: '10.0.0.15', address: '192.0.2.15' }]);
    expect(peersByCluster({ clusters: [x, y] }, x)[0].privateAddresses).toBeUndefined();
  });

  it("uses none when a host's private address is not in the inventory (a host name, or private_interface): any private address may be that host's", () => {
    const x = withHosts(a, [host('192.0.2.1', '10.1.0.1', 'master'), host('192.0.2.11', '10.1.0.11')]);
    const named = withHosts(b, [host('198.51.100.1', 'master-b.internal', 'master'), host('198.51.100.11', '10.2.0.11')]);
    const byInterface = withHosts(b, [{ address: '198.51.100.1', role: 'master', privateInterface: 'eth1' }, host('198.51.100.11', '10.2.0.11')]);
    const plain = withHosts(b, [host('198.51.100.1', undefined, 'master'), host('198.51.100.11', '10.2.0.11')]);
    expect(peersByCluster({ clusters: [x, plain] }, plain)[0].privateAddresses).toEqual([{ privateAddress: '10.1.0.11', address: '192.0.2.11' }]);
    for (const other of [named, byInterface]) {
      expect(peersByCluster({ clusters: [x, other] }, other)[0].privateAddresses).toBeUndefined();
      expect(peersByCluster({ clusters: [x, other] }, x)[0].privateAddresses).toBeUndefined();
    }
  });
});
