import { Construct } from 'constructs';
import { ClusterSpec } from '../src/mesh/model';

export interface PharosNetworkConfigProps {
  /** The validated cluster. */
  readonly cluster: ClusterSpec;
  /** Derived Weave peers: the other clusters' workers and the cluster's own extra peers. */
  readonly knownPeers: readonly string[];
}

/**
 * The `network:` block of a cluster's Pharos `cluster.yml`, as `pharos up` reads it. Not a Kubernetes
 * object: it is written beside, never inside, the folder that Argo CD or Flux sync.
 */
export class PharosNetworkConfig extends Construct {
  /** The config document, with top-level `network:`, keys in the order Pharos documents them. */
  public readonly document: { readonly network: Record<string, unknown> };

  public constructor(scope: Construct, id: string, props: PharosNetworkConfigProps) {
    super(scope, id);
    const { cluster } = props;
    this.document = {
      network: {
        provider: 'weave',
        service_cidr: cluster.serviceCidr,
        pod_network_cidr: cluster.podNetworkCidr,
        ...cluster.otherNetworkSettings,
        weave: {
          // Kept as written: Pharos resolves it against the folder of the cluster.yml it reads (Dir.chdir there).
          password: cluster.passwordFile,
          ipalloc_default_subnet: cluster.subnet,
          // Pharos starts its peer-updating component whenever known_peers is set, even empty.
          ...(props.knownPeers.length > 0 ? { known_peers: [...props.knownPeers] } : {}),
          ...cluster.otherWeaveSettings,
        },
      },
    };
  }
}
