import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { ARGOCD_APPLICATION_PREFIX } from '../src/mesh/rules';
import { ResolvedGitOpsSettings } from './gitops-settings';

export interface ArgoCdApplicationSetProps {
  readonly settings: ResolvedGitOpsSettings;

  /** Folder, inside each cluster's directory, that is synced to that cluster. */
  readonly syncedFolder: string;

  /**
   * Namespace Argo CD runs in.
   * @default 'argocd'
   */
  readonly namespace?: string;

  /**
   * Argo CD project of the generated Applications.
   * @default 'default'
   */
  readonly project?: string;
}

/**
 * One ApplicationSet that gives every cluster directory of the output its own Application, deployed
 * to the Argo CD cluster of the same name. A git directory generator means a cluster added to the
 * inventory is picked up without touching this object; `preserveResourcesOnDeletion` means a
 * directory that disappears (by mistake or not) never cascades into deleting what runs on a cluster.
 *
 * Needs Argo CD 2.8 or later on the hub: `goTemplateOptions` first appears in v2.8.0's ApplicationSet
 * CRD (2.5–2.7 refuse it, or with validation off drop `missingkey=error` silently); `goTemplate` and
 * `.path.segments` need 2.5, the git directory generator and `preserveResourcesOnDeletion` 2.3.
 * test/schema.test.ts validates it against v2.8.0's CRD.
 */
export class ArgoCdApplicationSet extends Construct {
  public readonly applicationSet: ApiObject;

  public constructor(scope: Construct, id: string, props: ArgoCdApplicationSetProps) {
    super(scope, id);
    const { repoURL, revision, pathPrefix } = props.settings;
    // The generator yields paths like dist/cluster-a/kubernetes; the cluster is the segment after the prefix.
    const cluster = `{{ index .path.segments ${pathPrefix.split('/').length} }}`;
    this.applicationSet = new ApiObject(this, 'Resource', {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'ApplicationSet',
      metadata: { name: 'weave-mesh', namespace: props.namespace ?? 'argocd' },
      spec: {
        goTemplate: true,
        goTemplateOptions: ['missingkey=error'],
        generators: [{ git: { repoURL, revision, directories: [{ path: `${pathPrefix}/*/${props.syncedFolder}` }] } }],
        syncPolicy: { preserveResourcesOnDeletion: true },
        template: {
          metadata: { name: `${ARGOCD_APPLICATION_PREFIX}${cluster}`, labels: { 'app.kubernetes.io/part-of': 'weave-mesh' } },
          spec: {
            project: props.project ?? 'default',
            source: { repoURL, targetRevision: revision, path: '{{ .path.path }}' },
            destination: { name: cluster, namespace: 'kube-system' },
            syncPolicy: { automated: { prune: true, selfHeal: true, allowEmpty: false } },
          },
        },
      },
    });
  }
}
