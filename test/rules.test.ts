import { parseIPv4Address, parseIPv4Cidr } from '../src/net/cidr';
import {
  ARGOCD_APPLICATION_PREFIX,
  ClusterDraft,
  clusterNames,
  declaredNames,
  extraPeers,
  hostAddresses,
  Located,
  masters,
  MAX_CLUSTER_NAME,
  missingSubnets,
  peerCount,
  samePassword,
  samePodNetwork,
  serviceCidrs,
  subnets,
  trustedSubnetPeers,
  uniqueAddressPorts,
  WEAVE_PEERS_KNOWN_TO_WORK,
} from '../src/mesh/rules';

/** Each mesh rule is a pure function from drafts (clusters as read) to violations: tested here alone. */

function cidr(text: string, path: string[]): Located<any> {
  const parsed = parseIPv4Cidr(text);
  if (!parsed.ok) throw new Error(text);
  return { text, value: parsed.value, path };
}

function draft(name: string, options: { subnet?: string; pod?: string; service?: string; password?: string; hosts?: string[]; peers?: string[]; trusted?: string[] } = {}): ClusterDraft {
  return {
    name,
    hosts: (options.hosts ?? []).map((address, index) => {
      const ip = parseIPv4Address(address);
      if (!ip.ok) throw new Error(address);
      return { address, role: 'worker', ip: ip.value, sshPort: 22, path: ['hosts', index, 'address'] };
    }),
    subnet: options.subnet ? cidr(options.subnet, ['network', 'weave', 'ipalloc_default_subnet']) : undefined,
    subnetMissing: !options.subnet,
    podNetworkCidr: cidr(options.pod ?? '10.32.0.0/12', ['network', 'pod_network_cidr']),
    serviceCidr: options.service ? cidr(options.service, ['network', 'service_cidr']) : undefined,
    passwordFile: { text: options.password ?? './shared_password', value: options.password ?? './shared_password', path: ['network', 'weave', 'password'] },
    extraPeers: (options.peers ?? []).map((text, index) => {
      const ip = parseIPv4Address(text);
      return { text, value: ip.ok ? ip.value : undefined, path: ['network', 'weave', 'known_peers', index] };
    }),
    trustedSubnets: (options.trusted ?? []).map((text, index) => cidr(text, ['network', 'weave', 'trusted_subnets', String(index)])),
  };
}

const describeFile = (cluster: string) => `${cluster}.yml`;

describe('clusterNames', () => {
  const wording = () => ({ subject: 'the cluster name', fix: 'rename the cluster to', example: 'cluster-a' });
  it("accepts DNS-1123 labels and refuses anything else, in the front-end's words", () => {
    expect(clusterNames([draft('cluster-a'), draft('a'.repeat(52))], wording)).toEqual([]);
    expect(clusterNames([draft('Cluster_A'), draft('a'.repeat(53)), draft('a'.repeat(64)), draft('-a')], wording).map((v) => v.cluster)).toEqual(['Cluster_A', 'a'.repeat(53), 'a'.repeat(64), '-a']);
    expect(clusterNames([draft('Cluster_A')], wording)[0]).toMatchObject({ rule: 'cluster-name', path: undefined, message: expect.stringMatching(/^the cluster name "Cluster_A", which is not a DNS-1123 label; rename the cluster to/) });
  });

  it('refuses a valid label too long for the Argo CD Application named after it, naming the limit, why and the fix', () => {
    // The longest accepted name gives an Application name that is a label value of at most 63 characters.
    const longest = `${ARGOCD_APPLICATION_PREFIX}${'a'.repeat(MAX_CLUSTER_NAME)}`;
    expect(longest).toHaveLength(63);
    expect(longest).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
    const name = `c${'-x'.repeat(26)}`;
    expect(name).toHaveLength(53);
    expect(clusterNames([draft(name)], wording)).toEqual([
      {
        cluster: name,
        path: undefined,
        severity: 'error',
        rule: 'cluster-name',
        message: `the cluster name "${name}", which has 53 characters; at most 52 fit, because Argo CD names the cluster's Application weave-mesh-<cluster> and labels what it deploys with that name (app.kubernetes.io/instance), and a Kubernetes label value holds at most 63 characters; rename the cluster to a name of at most 52 characters, such as cluster-a`,
      },
    ]);
    // Pharos's name: saying the same name is where the name stands in the file.
    const named: ClusterDraft = { ...draft(name), declaredName: { text: name, value: name, path: ['name'] } };
    expect(clusterNames([named], wording)[0].path).toEqual(['name']);
  });
});

describe('samePodNetwork and samePassword', () => {
  it('report every cluster that differs from the value most clusters use', () => {
    const drafts = [draft('a'), draft('b', { pod: '10.0.0.0/8' }), draft('c')];
    expect(samePodNetwork(drafts)).toEqual([{ cluster: 'b', path: ['network', 'pod_network_cidr'], severity: 'error', rule: 'same-pod-network', message: expect.stringMatching(/^is 10\.0\.0\.0\/8, but a, c use 10\.32\.0\.0\/12/) }]);
    expect(samePassword([draft('a'), draft('b', { password: './x' })])).toHaveLength(1);
    expect(samePassword([draft('a'), draft('b')])).toEqual([]);
  });
});

describe('subnets', () => {
  it('refuse overlap, a subnet outside or equal to the pod network, and one smaller than Weave takes', () => {
    const messages = subnets(
      [draft('a', { subnet: '10.33.0.0/16' }), draft('b', { subnet: '10.33.128.0/17' }), draft('c', { subnet: '10.64.0.0/16' }), draft('d', { subnet: '10.32.0.0/12' }), draft('e', { subnet: '10.40.0.0/31' })],
      describeFile,
    ).map((v) => `${v.cluster} ${v.rule}`);
    expect(messages).toEqual(['b subnet-overlap', 'c subnet-inside-pod-network', 'd subnet-inside-pod-network', 'd subnet-overlap', 'd subnet-overlap', 'e subnet-size', 'e subnet-overlap']);
  });

  it('accept disjoint subnets of /30 or larger inside the pod network', () => {
    expect(subnets([draft('a', { subnet: '10.33.0.0/16' }), draft('b', { subnet: '10.34.0.0/30' })], describeFile)).toEqual([]);
  });
});

describe('missingSubnets', () => {
  it('suggests the lowest free subnet of the usual size, each suggestion counting as used', () => {
    const { violations, suggestions } = missingSubnets([draft('a', { subnet: '10.32.0.0/16' }), draft('b'), draft('c')]);
    expect([...suggestions]).toEqual([
      ['b', '10.33.0.0/16'],
      ['c', '10.34.0.0/16'],
    ]);
    expect(violations.map((v) => v.rule)).toEqual(['missing-subnet', 'missing-subnet']);
  });

  it('tells a cluster declared in code the value to set, not a script or file its app does not have', () => {
    const { violations } = missingSubnets([draft('a', { subnet: '10.32.0.0/16' }), draft('b'), draft('c')], new Map(), (cluster) => cluster === 'b');
    expect(violations[0].message).toBe("is missing; every cluster needs its own subnet inside pod_network_cidr: set network.weave.ipalloc_default_subnet: '10.33.0.0/16', the lowest free subnet of the mesh's usual size");
    expect(violations[1].message).toMatch(/npm run allocate -- c writes it into the file$/);
  });
});

describe('serviceCidrs', () => {
  it('refuses a service CIDR inside the pod network and warns about a shared one', () => {
    const violations = serviceCidrs([draft('a', { service: '172.16.0.0/16' }), draft('b', { service: '172.16.0.0/16' }), draft('c', { service: '10.40.0.0/16' })]);
    expect(violations.map((v) => `${v.cluster} ${v.severity} ${v.rule}`)).toEqual(['c error service-cidr', 'b warning shared-service-cidr']);
  });

  it('groups warnings: 300 clusters sharing one service CIDR are one line, and an overlapping CIDR one more', () => {
    const many = Array.from({ length: 300 }, (_, i) => draft(`c${i}`, { service: '172.16.0.0/16' }));
    const violations = serviceCidrs([...many, draft('wide', { service: '172.16.0.0/12' })]);
    expect(violations.map((v) => `${v.cluster} ${v.message}`)).toEqual([
      'c1 172.16.0.0/16 is also the service CIDR of cluster c0, cluster c2, cluster c3, cluster c4, cluster c5 and 294 more; that works, but a service IP then means different services in those clusters',
      'wide 172.16.0.0/12 overlaps the service CIDR 172.16.0.0/16 of cluster c0, cluster c1 and 298 more; that works, but a service IP then means different services in those clusters',
    ]);
  });
});

describe('hostAddresses', () => {
  it('refuses an address used twice or inside a pod or service range, once per host', () => {
    const violations = hostAddresses([draft('a', { hosts: ['192.0.2.1', '192.0.2.1'], service: '172.16.0.0/16' }), draft('b', { hosts: ['192.0.2.1', '10.33.0.5', '172.16.0.9'] })], describeFile);
    expect(violations.map((v) => `${v.cluster} ${v.path!.join('.')} ${v.rule}`)).toEqual(['b hosts.0.address unique-host-address', 'b hosts.1.address host-outside-pod-network', 'b hosts.2.address host-outside-pod-network']);
    expect(violations[0].message).toMatch(/a host of cluster a \(a\.yml\)/);
  });

  it('names a range shared by several clusters as the first cluster that names it, and the first range that holds the address', () => {
    // b and c share a's service CIDR, and d's pod network holds 172.16.4.4 too: the message names the
    // first range in cluster order, a's service CIDR.
    const drafts = [draft('a', { service: '172.16.0.0/16' }), draft('b', { service: '172.16.0.0/16' }), draft('c', { service: '172.16.0.0/16', hosts: ['172.16.4.4', '10.33.0.7'] }), draft('d', { pod: '172.16.0.0/12', hosts: ['198.51.100.9'] })];
    expect(hostAddresses(drafts, describeFile).map((v) => `${v.cluster} ${v.path!.join('.')} ${v.message}`)).toEqual([
      'c hosts.0.address 172.16.4.4 lies inside the service CIDR 172.16.0.0/16 of cluster a; node addresses must be outside every pod and service range',
      'c hosts.1.address 10.33.0.7 lies inside the pod network 10.32.0.0/12; node addresses must be outside every pod and service range',
    ]);
    // The same order for known_peers.
    const withPeer = [...drafts.slice(0, 3), draft('e', { peers: ['172.16.9.9'] })];
    expect(extraPeers(withPeer, describeFile).map((v) => v.message)).toEqual(['172.16.9.9 lies inside the service CIDR 172.16.0.0/16 of cluster a; a Weave peer is a node address, outside every pod and service range']);
  });
});

describe('extraPeers', () => {
  it('keeps known_peers to peers outside the inventory: not own hosts, not other workers, not twice, not pod or service addresses', () => {
    const a = draft('a', { hosts: ['192.0.2.1'], service: '172.16.0.0/16', peers: ['203.0.113.5', '192.0.2.1', '198.51.100.1', '203.0.113.5', '10.40.0.9', '172.16.0.20', 'peer.example.org'] });
    const b = draft('b', { hosts: ['198.51.100.1'] });
    expect(extraPeers([a, b], describeFile).map((v) => `${v.path!.join('.')} ${v.message}`)).toEqual([
      'network.weave.known_peers.1 192.0.2.1 is a host of this cluster, which Weave finds by itself; list only peers outside the inventory',
      'network.weave.known_peers.2 198.51.100.1 is a worker of cluster b (b.yml), which weave-mesh adds to known_peers itself; remove it',
      'network.weave.known_peers.3 203.0.113.5 is listed twice; list each peer once',
      'network.weave.known_peers.4 10.40.0.9 lies inside the pod network 10.32.0.0/12; a Weave peer is a node address, outside every pod and service range',
      'network.weave.known_peers.5 172.16.0.20 lies inside the service CIDR 172.16.0.0/16 of cluster a; a Weave peer is a node address, outside every pod and service range',
    ]);
  });
});

describe('the rules Pharos enforces itself', () => {
  it('uniqueAddressPorts: no two hosts of a cluster with the same address and SSH port (config_schema.rb, unique_addresses?)', () => {
    const cluster = draft('a', { hosts: ['192.0.2.1', '192.0.2.1', '192.0.2.2'] });
    expect(uniqueAddressPorts([cluster]).map((v) => `${v.path!.join('.')} ${v.message}`)).toEqual(['hosts.1.address 192.0.2.1:22 is also the address and SSH port of hosts[0]; Pharos refuses duplicate address:ssh_port']);
    // Hosts behind one NAT address, reached on different SSH ports, are fine.
    const natted = { ...cluster, hosts: cluster.hosts.map((host, index) => ({ ...host, sshPort: 22 + index })) };
    expect(uniqueAddressPorts([natted])).toEqual([]);
  });

  it('masters: a cluster without a master is refused ("No master hosts defined", load_config.rb)', () => {
    expect(masters([{ ...draft('a'), hasMaster: false }, { ...draft('b'), hasMaster: true }, draft('c')]).map((v) => `${v.cluster} ${v.rule}`)).toEqual(['a pharos-master']);
  });

  it("declaredNames: a top-level name: must be the cluster's name (config.rb, attribute :name)", () => {
    const named = (name: string, declared: string) => ({ ...draft(name), declaredName: { text: declared, value: declared, path: ['name'] } });
    expect(declaredNames([named('a', 'a'), named('b', 'prod')]).map((v) => `${v.cluster} ${v.message}`)).toEqual([
      'b is "prod", but the cluster is b; Pharos names the cluster by name: and weave-mesh by its file, so set name: b or remove it (renaming a running cluster needs pharos up --force)',
    ]);
  });

  it("samePassword compares the files the paths name, resolved from each cluster's folder", () => {
    const password = (name: string, text: string, key: string) => ({ ...draft(name), passwordFile: { text, value: text, key, path: ['network', 'weave', 'password'] } });
    expect(samePassword([password('a', './shared_password', '/x/clusters/shared_password'), password('b', 'shared_password', '/x/clusters/shared_password')])).toEqual([]);
    expect(samePassword([password('a', './p', '/x/clusters/p'), password('b', './p', '/y/p')])).toHaveLength(1);
  });
});

describe('trustedSubnetPeers', () => {
  const a = (trusted: string[]) => draft('a', { hosts: ['192.0.2.11', '192.0.2.12'], trusted });
  const b = (trusted: string[] = []) => draft('b', { hosts: ['198.51.100.11'], trusted });
  const c = (trusted: string[] = []) => draft('c', { hosts: ['203.0.113.11'], trusted });

  it("says nothing when trusted subnets cover only the cluster's own hosts, or nothing at all", () => {
    expect(trustedSubnetPeers([a(['192.0.2.0/24']), b(['198.51.100.0/24']), c()])).toEqual([]);
    expect(trustedSubnetPeers([a(['10.0.0.0/8']), b(), c()])).toEqual([]);
    expect(trustedSubnetPeers([a([]), b(), c()])).toEqual([]);
  });

  it("warns at the trusted subnet that covers another cluster's peers, naming the clusters whose traffic then goes unencrypted", () => {
    const violations = trustedSubnetPeers([a(['0.0.0.0/0']), b(['192.0.2.0/24']), c()]);
    // b trusts a back: that link is unencrypted now. c does not: encrypted until it does. b's own subnet covers a's hosts, so it warns too.
    expect(violations).toEqual([
      {
        cluster: 'a',
        path: ['network', 'weave', 'trusted_subnets', '0'],
        severity: 'warning',
        rule: 'trusted-subnet-peers',
        message:
          "0.0.0.0/0 covers Weave peers of cluster b and cluster c; cluster b trusts this cluster's hosts back, so Weave sends the traffic between this cluster and it unencrypted (it encrypts unless both ends of a connection trust each other); cluster c does not trust this cluster back, so its links stay encrypted only until it does. List in trusted_subnets only the private network this cluster's own nodes share, not the other clusters' addresses (keep it only if the clusters are joined by a network you trust as much)",
      },
      {
        cluster: 'b',
        path: ['network', 'weave', 'trusted_subnets', '0'],
        severity: 'warning',
        rule: 'trusted-subnet-peers',
        message: expect.stringMatching(/^192\.0\.2\.0\/24 covers Weave peers of cluster a; cluster a trusts this cluster's hosts back, so Weave sends the traffic between this cluster and it unencrypted/),
      },
    ]);
  });

  it("counts masters as peers too (they connect to the other clusters' workers), and one warning per subnet that covers any", () => {
    const withMaster: ClusterDraft = { ...b(), hosts: [{ ...b().hosts[0], role: 'master' }] };
    const violations = trustedSubnetPeers([a(['192.0.2.0/24', '198.51.100.11/32', '198.51.100.0/24']), withMaster, c()]);
    expect(violations.map((v) => [v.path, v.message.split(';')[0]])).toEqual([
      [['network', 'weave', 'trusted_subnets', '1'], '198.51.100.11/32 covers Weave peers of cluster b'],
      [['network', 'weave', 'trusted_subnets', '2'], '198.51.100.0/24 covers Weave peers of cluster b'],
    ]);
  });

  it('skips hosts known by name (no address to compare) and clusters without trusted subnets', () => {
    const named: ClusterDraft = { ...b(), hosts: [{ address: 'node.example.test', role: 'worker', sshPort: 22, path: ['hosts', 0, 'address'] }] };
    expect(trustedSubnetPeers([a(['0.0.0.0/0']), named])).toEqual([]);
    expect(trustedSubnetPeers([{ ...a([]), trustedSubnets: undefined }, b()])).toEqual([]);
  });
});

describe('peerCount', () => {
  const hosts = (prefix: string, count: number) => Array.from({ length: count }, (_, i) => `${prefix}.${i + 1}`);

  it('is silent up to what Weave is known to handle, the limit included', () => {
    expect(WEAVE_PEERS_KNOWN_TO_WORK).toBe(100);
    expect(peerCount([draft('a', { hosts: hosts('192.0.2', 50) }), draft('b', { hosts: hosts('198.51.100', 50) })])).toEqual([]);
  });

  it('warns once, at the hosts of the cluster that passes it, with the count and the sources', () => {
    const drafts = [draft('a', { hosts: hosts('192.0.2', 60) }), draft('b', { hosts: hosts('198.51.100', 50) }), draft('c', { hosts: hosts('203.0.113', 10) })];
    expect(peerCount(drafts)).toEqual([
      {
        cluster: 'b',
        path: ['hosts'],
        severity: 'warning',
        rule: 'weave-peer-count',
        message: expect.stringMatching(/^with this cluster the mesh has 120 Weave peers .* more than the 100 Weave is known to handle: .*weaveworks\/weave#3593, #3940, #3607, #3595\); split the mesh/),
      },
    ]);
  });

  it('counts extra known_peers once each, and not those that are hosts of the mesh', () => {
    const drafts = [draft('a', { hosts: hosts('192.0.2', 99), peers: ['203.0.113.5', '192.0.2.1'] }), draft('b', { hosts: [], peers: ['203.0.113.5'] })];
    expect(peerCount(drafts)).toEqual([]);
    expect(peerCount([...drafts, draft('c', { hosts: [], peers: ['203.0.113.6'] })])).toMatchObject([{ cluster: 'c', message: expect.stringMatching(/has 101 Weave peers/) }]);
  });
});
