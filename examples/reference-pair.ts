/**
 * The Pharos documentation's two-cluster example, declared in TypeScript instead of clusters/*.yml
 * (the same values), through the package entry as another cdk8s app would use it.
 *
 *   npm run example -- --outdir DIR
 */
import { App } from 'cdk8s';
import { PharosClusterConfig, PharosHostConfig, runCli, WeaveMesh } from 'weave-mesh';

/** Hosts reached over SSH as ubuntu with the usual key. */
function host(address: string, privateAddress: string, role: 'master' | 'worker'): PharosHostConfig {
  return { address, private_address: privateAddress, role, user: 'ubuntu', ssh_key_path: '~/.ssh/id_rsa' };
}

/** The network both clusters share: the pod network and the Weave password file. */
function network(serviceCidr: string, subnet: string): PharosClusterConfig['network'] {
  return {
    provider: 'weave',
    service_cidr: serviceCidr,
    pod_network_cidr: '10.32.0.0/12',
    // Paths in code are relative to the working directory, where npm run example runs: the same file as clusters/ names.
    weave: { password: './clusters/shared_password', ipalloc_default_subnet: subnet },
  };
}

export const clusters: Record<string, PharosClusterConfig> = {
  'cluster-a': {
    hosts: [host('192.0.2.10', '10.0.0.10', 'master'), host('192.0.2.11', '10.0.0.11', 'worker'), host('192.0.2.12', '10.0.0.12', 'worker')],
    network: network('172.16.0.0/16', '10.33.0.0/16'),
  },
  'cluster-b': {
    hosts: [host('198.51.100.10', '10.1.0.10', 'master'), host('198.51.100.11', '10.1.0.11', 'worker'), host('198.51.100.12', '10.1.0.12', 'worker')],
    network: network('172.17.0.0/16', '10.34.0.0/16'),
  },
};

/** The cdk8s app: one WeaveMesh of the two clusters above, rendered into `outdir`. */
export function buildExample(outdir = 'dist'): WeaveMesh {
  return new WeaveMesh(new App(), 'weave-mesh', {
    clusters,
    outdir,
    gitops: { repoURL: 'https://github.com/example-org/weave-mesh.git', revision: 'main', pathPrefix: 'dist' },
  });
}

if (require.main === module) {
  void Promise.resolve(runCli(['synth', ...process.argv.slice(2)], (_inventory, outdir) => buildExample(outdir))).then((code) => {
    process.exitCode = code;
  });
}
