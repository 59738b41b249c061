import { App } from 'cdk8s';
import { PharosClusterConfig, WeaveMesh } from 'weave-mesh';

/** A cluster of one master and one worker, in the shape of its Pharos cluster.yml. */
function cluster(master: string, worker: string, serviceCidr: string, subnet: string): PharosClusterConfig {
  return {
    hosts: [
      { address: master, role: 'master' },
      { address: worker, role: 'worker' },
    ],
    network: {
      service_cidr: serviceCidr,
      pod_network_cidr: '10.32.0.0/12',
      weave: { password: './shared_password', ipalloc_default_subnet: subnet },
    },
  };
}

const app = new App();
export const mesh = new WeaveMesh(app, 'weave-mesh', {
  clusters: {
    'cluster-a': cluster('192.0.2.10', '192.0.2.11', '172.16.0.0/16', '10.33.0.0/16'),
    'cluster-b': cluster('198.51.100.10', '198.51.100.11', '172.17.0.0/16', '10.34.0.0/16'),
  },
  gitops: { repoURL: 'https://git.example.org/platform/cluster-network.git' },
});
// mesh.errors() lists every problem; app.synth() writes the tree into dist/, or throws those lines.
