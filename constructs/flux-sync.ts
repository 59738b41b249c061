import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { FluxApi, ResolvedGitOpsSettings } from './gitops-settings';

/**
 * apiVersions of the two objects per Flux API generation. Every field rendered below exists in both:
 * GitRepository v1beta1 of source-controller v0.20.1 and v1 of v1.0.0; Kustomization v1beta2 of
 * kustomize-controller v0.19.1 (v1beta1 has no `wait`) and v1 of v1.0.0 (test/schemas checks each).
 */
const API_VERSIONS: Record<FluxApi, { gitRepository: string; kustomization: string }> = {
  v1beta2: { gitRepository: 'source.toolkit.fluxcd.io/v1beta1', kustomization: 'kustomize.toolkit.fluxcd.io/v1beta2' },
  v1: { gitRepository: 'source.toolkit.fluxcd.io/v1', kustomization: 'kustomize.toolkit.fluxcd.io/v1' },
};

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
 * objects whose files are removed and waiting for what it applies to become ready. Their API
 * generation is `settings.fluxApi`: by default the one Flux v0.25.3 serves on Kubernetes 1.18.
 */
export class FluxSync extends Construct {
  public readonly gitRepository: ApiObject;
  public readonly kustomization: ApiObject;

  public constructor(scope: Construct, id: string, props: FluxSyncProps) {
    super(scope, id);
    const namespace = props.namespace ?? 'flux-system';
    const apiVersions = API_VERSIONS[props.settings.fluxApi];
    this.gitRepository = new ApiObject(this, 'GitRepository', {
      apiVersion: apiVersions.gitRepository,
      kind: 'GitRepository',
      metadata: { name: 'weave-mesh', namespace },
      spec: { interval: props.sourceInterval ?? '5m', url: props.settings.repoURL, ref: { branch: props.settings.revision } },
    });
    this.kustomization = new ApiObject(this, 'Kustomization', {
      apiVersion: apiVersions.kustomization,
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
