import { Construct } from 'constructs';
import { ApiObject, App, Chart, ChartProps } from 'cdk8s';
import { readRecordedSubnets, WeaveMesh } from 'weave-mesh';

export class MyChart extends Chart {
  constructor(scope: Construct, id: string, props: ChartProps = { }) {
    super(scope, id, props);

    // define resources here
    new ApiObject(this, 'greeting', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'greeting', namespace: 'default' },
      data: { greeting: 'hello' },
    });
  }
}

const app = new App();
new MyChart(app, 'cdk8s-app');
// The Pharos documentation's two clusters, joined into one Weave pod network. `cdk8s synth`
// writes the mesh into the app's output folder (dist/): per cluster pharos/cluster.yml for
// `pharos up` and kubernetes/ for Argo CD or Flux, the GitOps hub, and an overview.
new WeaveMesh(app, 'weave-mesh', {
  clusters: {
    'cluster-a': {
      hosts: [
        { address: '192.0.2.10', private_address: '10.0.0.10', role: 'master', user: 'ubuntu', ssh_key_path: '~/.ssh/id_rsa' },
        { address: '192.0.2.11', private_address: '10.0.0.11', role: 'worker', user: 'ubuntu', ssh_key_path: '~/.ssh/id_rsa' },
        { address: '192.0.2.12', private_address: '10.0.0.12', role: 'worker', user: 'ubuntu', ssh_key_path: '~/.ssh/id_rsa' },
      ],
      network: {
        provider: 'weave',
        service_cidr: '172.16.0.0/16',
        pod_network_cidr: '10.32.0.0/12',
        // A path, relative to this folder: the file holds the shared secret and stays out of git.
        weave: { password: './shared_password', ipalloc_default_subnet: '10.33.0.0/16' },
      },
    },
    'cluster-b': {
      hosts: [
        { address: '198.51.100.10', private_address: '10.1.0.10', role: 'master', user: 'ubuntu', ssh_key_path: '~/.ssh/id_rsa' },
        { address: '198.51.100.11', private_address: '10.1.0.11', role: 'worker', user: 'ubuntu', ssh_key_path: '~/.ssh/id_rsa' },
        { address: '198.51.100.12', private_address: '10.1.0.12', role: 'worker', user: 'ubuntu', ssh_key_path: '~/.ssh/id_rsa' },
      ],
      network: {
        provider: 'weave',
        service_cidr: '172.17.0.0/16',
        pod_network_cidr: '10.32.0.0/12',
        weave: { password: './shared_password', ipalloc_default_subnet: '10.34.0.0/16' },
      },
    },
  },
  gitops: {
    // The repository the output folder is committed to, as Argo CD and Flux clone it.
    repoURL: 'https://git.example.org/platform/cluster-network.git',
    // pathPrefix, where the output folder lies in that repository, is left out: git tells it
    // (dist for an app at the repository's top, <the app's folder>/dist for one in a sub-folder).
  },
  // Running clusters keep their subnets: read from dist/, or from git after cdk8s synth emptied it.
  recordedSubnets: readRecordedSubnets(app.outdir),
});
app.synth();
