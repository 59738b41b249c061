/**
 * kustomization.yaml as three kustomize versions read it: every one decodes the file with Go's
 * `DisallowUnknownFields`, so a field it does not know fails the whole folder.
 *
 * The field names are the json tags of `type Kustomization struct` (and its inline TypeMeta:
 * apiVersion, kind) in kubernetes-sigs/kustomize (Apache-2.0):
 * - tag v2.0.3, `pkg/types/kustomization.go`: the kustomize built into kubectl 1.18 (`kubectl kustomize`, `apply -k`);
 * - tag api/v0.10.1 (kustomize v4.4.1), `api/types/kustomization.go`: what kustomize-controller
 *   v0.19.1 (Flux v0.25.3) builds with (its go.mod pins sigs.k8s.io/kustomize/api v0.10.1);
 * - tag kustomize/v5.1.0, `api/types/kustomization.go`: what Argo CD v2.8.0 bundles
 *   (argoproj/argo-cd tag v2.8.0, `hack/tool-versions.sh`: kustomize5_version=5.1.0).
 * Fields weave-mesh writes get their full type; the others are listed so that the schema knows
 * every name the version takes, and accept any value.
 */
import { anything, array, object, Schema, string } from './json-schema';

const V2_0_3 = ['namePrefix', 'nameSuffix', 'namespace', 'commonLabels', 'commonAnnotations', 'patchesStrategicMerge', 'patchesJson6902', 'images', 'vars', 'resources', 'crds', 'bases', 'configMapGenerator', 'secretGenerator', 'generatorOptions', 'configurations'];
const API_V0_10_1 = ['metadata', 'openapi', 'namePrefix', 'nameSuffix', 'namespace', 'commonLabels', 'labels', 'commonAnnotations', 'patchesStrategicMerge', 'patchesJson6902', 'patches', 'images', 'replacements', 'replicas', 'vars', 'resources', 'components', 'crds', 'bases', 'configMapGenerator', 'secretGenerator', 'helmGlobals', 'helmCharts', 'helmChartInflationGenerator', 'generatorOptions', 'configurations', 'generators', 'transformers', 'validators', 'inventory', 'buildMetadata'];
const V5_1_0 = ['metadata', 'openapi', 'namePrefix', 'nameSuffix', 'namespace', 'commonLabels', 'labels', 'commonAnnotations', 'patchesStrategicMerge', 'patchesJson6902', 'patches', 'images', 'imageTags', 'replacements', 'replicas', 'vars', 'sortOptions', 'resources', 'components', 'crds', 'bases', 'configMapGenerator', 'secretGenerator', 'helmGlobals', 'helmCharts', 'helmChartInflationGenerator', 'generatorOptions', 'configurations', 'generators', 'transformers', 'validators', 'buildMetadata'];

/** The fields weave-mesh writes, typed. In v2.0.3 a resource is a file path (folders go in bases). */
const WRITTEN: Record<string, Schema> = {
  apiVersion: string({ enum: ['kustomize.config.k8s.io/v1beta1'] }),
  kind: string({ enum: ['Kustomization'] }),
  resources: array(string({ pattern: '^[^/][^\\s]*\\.ya?ml$' })),
};

function schema(fields: readonly string[]): Schema {
  return object({ ...Object.fromEntries(fields.map((field) => [field, anything])), ...WRITTEN });
}

/** Readers of kustomization.yaml: name -> strict schema. */
export const KUSTOMIZE_SCHEMAS: Record<string, Schema> = {
  'kustomize v2.0.3 (kubectl 1.18)': schema(V2_0_3),
  'kustomize api v0.10.1 (Flux v0.25.3)': schema(API_V0_10_1),
  'kustomize v5.1.0 (Argo CD v2.8.0)': schema(V5_1_0),
};
