import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { ResolvedGitOpsSettings } from './gitops-settings';

export interface FluxSyncProps {
  readonly settings: ResolvedGitOpsSettings;

  /** Path, inside the repository, of the folder this cluster syncs. */
  readonly path: string;

  /**
   * Namespace Flux runs in.
   * @default 'flux-system'
   */
  readonly namespace?: string;

  /**
   * How often Flux fetches the repository.
   * @default '5m'
   */
  readonly sourceInterval?: string;

  /**
   * How often Flux re-applies the folder, correcting drift on the cluster.
   * @default '10m'
   */
  readonly syncInterval?: string;
}

/**
 * A Flux GitRepository and Kustomization that sync one cluster's folder to that cluster, pruning
 * objects whose files are removed and waiting for what it applies to become ready.
 */
export class FluxSync extends Construct {
  public readonly gitRepository: ApiObject;
  public readonly kustomization: ApiObject;

  public constructor(scope: Construct, id: string, props: FluxSyncProps) {
    super(scope, id);
    const namespace = props.namespace ?? 'flux-system';
    this.gitRepository = new ApiObject(this, 'GitRepository', {
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      kind: 'GitRepository',
      metadata: { name: 'weave-mesh', namespace },
      spec: { interval: props.sourceInterval ?? '5m', url: props.settings.repoURL, ref: { branch: props.settings.revision } },
    });
    this.kustomization = new ApiObject(this, 'Kustomization', {
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
      kind: 'Kustomization',
      metadata: { name: 'weave-mesh', namespace },
      spec: {
        interval: props.syncInterval ?? '10m',
        retryInterval: '1m',
        timeout: '5m',
        sourceRef: { kind: 'GitRepository', name: 'weave-mesh' },
        path: `./${props.path}`,
        prune: true,
        wait: true,
      },
    });
  }
}
