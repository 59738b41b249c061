/**
 * The `spec` of Flux's GitRepository and Kustomization, per API generation weave-mesh renders, as
 * strict JSON Schemas: every field the CRD declares, with its type, enum, pattern, length limits
 * and required fields, and nothing else.
 *
 * Written field by field from the CRDs (the `openAPIV3Schema` of the version named):
 * - `v1beta2` generation, i.e. Flux v0.25.3 (fluxcd/flux2 tag v0.25.3,
 *   `manifests/bases/*-controller/kustomization.yaml` names the controller releases):
 *   - fluxcd/source-controller tag v0.20.1, `config/crd/bases/source.toolkit.fluxcd.io_gitrepositories.yaml`, version v1beta1
 *   - fluxcd/kustomize-controller tag v0.19.1, `config/crd/bases/kustomize.toolkit.fluxcd.io_kustomizations.yaml`, version v1beta2
 * - `v1` generation, i.e. Flux v2.0.0 (fluxcd/flux2 tag v2.0.0, same files):
 *   - fluxcd/source-controller tag v1.0.0, same path, version v1
 *   - fluxcd/kustomize-controller tag v1.0.0, same path, version v1
 * Both projects are Apache-2.0. `node scripts/verify-schemas.mjs` compares these schemas with those
 * CRDs, field by field, wherever a checkout of the repositories is at hand.
 */
import { FluxApi } from '../../constructs/gitops-settings';
import { anything, array, boolean, object, Schema, string, stringMap } from './json-schema';

const localRef = object({ name: string() }, ['name']);
const selector = object({
  annotationSelector: string(),
  group: string(),
  kind: string(),
  labelSelector: string(),
  name: string(),
  namespace: string(),
  version: string(),
});
const include = array(object({ fromPath: string(), repository: localRef, toPath: string() }, ['repository']));
const decryption = object({ provider: string({ enum: ['sops'] }), secretRef: localRef }, ['provider']);
const dependsOn = array(object({ name: string(), namespace: string() }, ['name']));
const healthChecks = array(object({ apiVersion: string(), kind: string(), name: string(), namespace: string() }, ['kind', 'name']));
const images = array(object({ digest: string(), name: string(), newName: string(), newTag: string() }, ['name']));
const targetNamespace = string({ maxLength: 63, minLength: 1 });

/** source-controller v0.20.1, GitRepository v1beta1. */
const gitRepositoryV1beta1 = object(
  {
    accessFrom: object({ namespaceSelectors: array(object({ matchLabels: stringMap })) }, ['namespaceSelectors']),
    gitImplementation: string({ enum: ['go-git', 'libgit2'] }),
    ignore: string(),
    include,
    interval: string(),
    recurseSubmodules: boolean,
    ref: object({ branch: string(), commit: string(), semver: string(), tag: string() }),
    secretRef: localRef,
    suspend: boolean,
    timeout: string(),
    url: string({ pattern: '^(http|https|ssh)://' }),
    verify: object({ mode: string({ enum: ['head'] }), secretRef: localRef }, ['mode']),
  },
  ['interval', 'url'],
);

/** kustomize-controller v0.19.1, Kustomization v1beta2. */
const kustomizationV1beta2 = object(
  {
    decryption,
    dependsOn,
    force: boolean,
    healthChecks,
    images,
    interval: string(),
    kubeConfig: object({ secretRef: localRef }),
    patches: array(object({ patch: string(), target: selector })),
    patchesJson6902: array(
      object(
        {
          patch: array(
            object(
              { from: string(), op: string({ enum: ['test', 'remove', 'add', 'replace', 'move', 'copy'] }), path: string(), value: anything },
              ['op', 'path'],
            ),
          ),
          target: selector,
        },
        ['patch', 'target'],
      ),
    ),
    patchesStrategicMerge: array(anything),
    path: string(),
    postBuild: object({
      substitute: stringMap,
      substituteFrom: array(object({ kind: string({ enum: ['Secret', 'ConfigMap'] }), name: string({ maxLength: 253, minLength: 1 }) }, ['kind', 'name'])),
    }),
    prune: boolean,
    retryInterval: string(),
    serviceAccountName: string(),
    sourceRef: object({ apiVersion: string(), kind: string({ enum: ['GitRepository', 'Bucket'] }), name: string(), namespace: string() }, ['kind', 'name']),
    suspend: boolean,
    targetNamespace,
    timeout: string(),
    validation: string({ enum: ['none', 'client', 'server'] }),
    wait: boolean,
  },
  ['interval', 'prune', 'sourceRef'],
);

const duration = string({ pattern: '^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$' });

/** source-controller v1.0.0, GitRepository v1. */
const gitRepositoryV1 = object(
  {
    ignore: string(),
    include,
    interval: duration,
    recurseSubmodules: boolean,
    ref: object({ branch: string(), commit: string(), name: string(), semver: string(), tag: string() }),
    secretRef: localRef,
    suspend: boolean,
    timeout: string({ pattern: '^([0-9]+(\\.[0-9]+)?(ms|s|m))+$' }),
    url: string({ pattern: '^(http|https|ssh)://.*$' }),
    verify: object({ mode: string({ enum: ['head'] }), secretRef: localRef }, ['mode', 'secretRef']),
  },
  ['interval', 'url'],
);

/** kustomize-controller v1.0.0, Kustomization v1. */
const kustomizationV1 = object(
  {
    commonMetadata: object({ annotations: stringMap, labels: stringMap }),
    components: array(string()),
    decryption,
    dependsOn,
    force: boolean,
    healthChecks,
    images,
    interval: duration,
    kubeConfig: object({ secretRef: object({ key: string(), name: string() }, ['name']) }, ['secretRef']),
    patches: array(object({ patch: string(), target: selector }, ['patch'])),
    path: string(),
    postBuild: object({
      substitute: stringMap,
      substituteFrom: array(
        object({ kind: string({ enum: ['Secret', 'ConfigMap'] }), name: string({ maxLength: 253, minLength: 1 }), optional: boolean }, ['kind', 'name']),
      ),
    }),
    prune: boolean,
    retryInterval: duration,
    serviceAccountName: string(),
    sourceRef: object(
      { apiVersion: string(), kind: string({ enum: ['OCIRepository', 'GitRepository', 'Bucket'] }), name: string(), namespace: string() },
      ['kind', 'name'],
    ),
    suspend: boolean,
    targetNamespace,
    timeout: duration,
    wait: boolean,
  },
  ['interval', 'prune', 'sourceRef'],
);

export interface FluxKind {
  readonly apiVersion: string;
  readonly kind: 'GitRepository' | 'Kustomization';
  /** The schema of `spec`. */
  readonly spec: Schema;
  /** Repository, tag, file and CRD version it was written from. */
  readonly source: string;
}

/** Per Flux API generation weave-mesh offers (gitops.fluxApi), the two kinds it renders. */
export const FLUX_SCHEMAS: Record<FluxApi, readonly FluxKind[]> = {
  v1beta2: [
    {
      apiVersion: 'source.toolkit.fluxcd.io/v1beta1',
      kind: 'GitRepository',
      spec: gitRepositoryV1beta1,
      source: 'fluxcd/source-controller v0.20.1 config/crd/bases/source.toolkit.fluxcd.io_gitrepositories.yaml v1beta1',
    },
    {
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1beta2',
      kind: 'Kustomization',
      spec: kustomizationV1beta2,
      source: 'fluxcd/kustomize-controller v0.19.1 config/crd/bases/kustomize.toolkit.fluxcd.io_kustomizations.yaml v1beta2',
    },
  ],
  v1: [
    {
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      kind: 'GitRepository',
      spec: gitRepositoryV1,
      source: 'fluxcd/source-controller v1.0.0 config/crd/bases/source.toolkit.fluxcd.io_gitrepositories.yaml v1',
    },
    {
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
      kind: 'Kustomization',
      spec: kustomizationV1,
      source: 'fluxcd/kustomize-controller v1.0.0 config/crd/bases/kustomize.toolkit.fluxcd.io_kustomizations.yaml v1',
    },
  ],
};
