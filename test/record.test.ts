import { meshStateOf, recordsOf } from '../src/output/plan';

/** The record of a running cluster's subnet is read quickly where synth writes it, and never misread. */
function both(content: string) {
  const tree = new Map([['cluster-a/pharos/cluster.yml', content]]);
  const full = meshStateOf(tree).get('cluster-a')!;
  return { quick: recordsOf(tree).get('cluster-a'), full: { subnet: full.subnet, podNetworkCidr: full.podNetworkCidr } };
}

describe('recordsOf', () => {
  it.each([
    ['as synth writes it', 'hosts: []\nnetwork:\n  pod_network_cidr: 10.32.0.0/12 # shared\n  weave:\n    ipalloc_default_subnet: 10.33.0.0/16 # own\n'],
    ["with Pharos's default pod network", 'network:\n  weave:\n    ipalloc_default_subnet: 10.33.0.0/16\n'],
    ['in flow style', 'network: { pod_network_cidr: 10.0.0.0/8, weave: { ipalloc_default_subnet: 10.1.0.0/16 } }\n'],
    ['with a decoy line in a block string', 'addons:\n  note: |\n    ipalloc_default_subnet: 10.99.0.0/16\nnetwork:\n  weave:\n    ipalloc_default_subnet: 10.33.0.0/16\n'],
    ['with a decoy in a comment', '# ipalloc_default_subnet: 10.99.0.0/16\nnetwork:\n  weave:\n    # ipalloc_default_subnet: 10.98.0.0/16\n    ipalloc_default_subnet: 10.33.0.0/16\n'],
    ['with the weave block in flow style', 'network:\n  pod_network_cidr: 10.32.0.0/12\n  weave: {ipalloc_default_subnet: 10.40.0.0/16}\n'],
  ])('agrees with a full YAML parse: %s', (_name, content) => {
    const { quick, full } = both(content);
    expect(quick).toEqual(full);
    expect(quick!.subnet).not.toBe('10.99.0.0/16');
  });
});

describe('recordsOf, whatever the spelling of the recorded values (issue 19: a quoted pod_network_cidr went unseen)', () => {
  it.each([
    ['pod_network_cidr quoted', 'network:\n  pod_network_cidr: "10.0.0.0/8"\n  weave:\n    ipalloc_default_subnet: 10.1.0.0/16\n', '10.1.0.0/16', '10.0.0.0/8'],
    ['both single-quoted', "network:\n  pod_network_cidr: '10.0.0.0/8'\n  weave:\n    ipalloc_default_subnet: '10.1.0.0/16'\n", '10.1.0.0/16', '10.0.0.0/8'],
    ['tagged !!str', 'network:\n  pod_network_cidr: !!str 10.0.0.0/8\n  weave:\n    ipalloc_default_subnet: !!str 10.1.0.0/16\n', '10.1.0.0/16', '10.0.0.0/8'],
    ['CRLF line ends', 'network:\r\n  pod_network_cidr: 10.0.0.0/8\r\n  weave:\r\n    ipalloc_default_subnet: 10.1.0.0/16\r\n', '10.1.0.0/16', '10.0.0.0/8'],
    ['a flow list of subnets layout', 'network: {pod_network_cidr: 10.0.0.0/8, weave: {ipalloc_default_subnet: "10.1.0.0/16"}}\n', '10.1.0.0/16', '10.0.0.0/8'],
    ['a merge after the explicit key (Psych: the merge wins)', 'network:\n  pod_network_cidr: 10.32.0.0/12\n  <<: {pod_network_cidr: 10.0.0.0/8}\n  weave:\n    ipalloc_default_subnet: 10.1.0.0/16\n', '10.1.0.0/16', '10.0.0.0/8'],
    ['indented by four', 'network:\n    pod_network_cidr: 10.0.0.0/8\n    weave:\n        ipalloc_default_subnet: 10.1.0.0/16\n', '10.1.0.0/16', '10.0.0.0/8'],
  ])('reads %s as Pharos does', (_name, content, subnet, podNetworkCidr) => {
    const { quick, full } = both(content);
    expect(quick).toEqual({ subnet, podNetworkCidr });
    expect(full).toEqual({ subnet, podNetworkCidr });
  });
});
