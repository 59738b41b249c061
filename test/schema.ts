import * as fs from 'fs';
import * as path from 'path';
import Ajv, { ErrorObject, ValidateFunction } from 'ajv';
import { FluxApi } from '../constructs/gitops-settings';
import { applicationSetSpec } from './schemas/argo-cd';
import { FLUX_SCHEMAS } from './schemas/flux';
import { object, Schema } from './schemas/json-schema';
import { KUSTOMIZE_SCHEMAS } from './schemas/kustomize';

/**
 * Strict validation of everything weave-mesh renders, against the versions that read it on Pharos
 * clusters: Kubernetes 1.18 (test/schemas/kubernetes-1.18.json), Flux v0.25.3's CRDs (or the Flux
 * API generation asked for), Argo CD v2.8.0's ApplicationSet CRD, and kustomize v2.0.3 / v4.4.1 /
 * v5.1.0 for kustomization.yaml. Unknown fields are refused everywhere.
 */
const ajv = new Ajv({
  allErrors: true,
  strict: true,
  // Formats the schemas use: the date-time of Kubernetes' ObjectMeta, the integer widths of CRDs.
  formats: { 'date-time': /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/, int32: true, int64: true },
});
ajv.addSchema(JSON.parse(fs.readFileSync(path.join(__dirname, 'schemas', 'kubernetes-1.18.json'), 'utf8')), 'kubernetes-1.18');
const k8s = (definition: string): Schema => ({ $ref: `kubernetes-1.18#/definitions/${definition}` });

/** A custom resource as the API server takes it: its CRD's spec, Kubernetes 1.18's ObjectMeta. */
function customResource(apiVersion: string, kind: string, spec: Schema): Schema {
  return object({ apiVersion: { type: 'string', const: apiVersion }, kind: { type: 'string', const: kind }, metadata: k8s('V1ObjectMeta'), spec, status: { type: 'object' } }, ['apiVersion', 'kind', 'metadata', 'spec']);
}

/** A built-in kind of Kubernetes 1.18: its definition, with its apiVersion and kind fixed. */
function builtIn(apiVersion: string, kind: string, definition: string): Schema {
  return {
    allOf: [
      k8s(definition),
      {
        type: 'object',
        properties: { apiVersion: { type: 'string', const: apiVersion }, kind: { type: 'string', const: kind }, metadata: { type: 'object' }, spec: { type: 'object' } },
        required: ['apiVersion', 'kind', 'metadata', 'spec'],
      },
    ],
  };
}

/** The schemas of every kind weave-mesh renders, for one Flux API generation, built when first used; a new kind must be added here to pass. */
function schemas(fluxApi: FluxApi): Record<string, () => Schema> {
  return {
    'apps/v1/DaemonSet': () => builtIn('apps/v1', 'DaemonSet', 'V1DaemonSet'),
    'argoproj.io/v1alpha1/ApplicationSet': () => customResource('argoproj.io/v1alpha1', 'ApplicationSet', applicationSetSpec()),
    ...Object.fromEntries(FLUX_SCHEMAS[fluxApi].map((flux) => [`${flux.apiVersion}/${flux.kind}`, () => customResource(flux.apiVersion, flux.kind, flux.spec)])),
  };
}

const compiled = new Map<string, ValidateFunction>();
function validator(key: string, schema: () => Schema): ValidateFunction {
  let validate = compiled.get(key);
  if (!validate) {
    validate = ajv.compile(schema());
    compiled.set(key, validate);
  }
  return validate;
}

function messages(errors: ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((error) => {
    const detail = error.keyword === 'additionalProperties' ? ` (${error.params.additionalProperty})` : error.keyword === 'enum' || error.keyword === 'const' ? ` ${JSON.stringify(error.params.allowedValues ?? error.params.allowedValue)}` : '';
    return `${error.instancePath || '/'} ${error.message}${detail}`;
  });
}

const DNS1123_SUBDOMAIN = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1123_LABEL = /^(?=.{1,63}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export interface CheckOptions {
  /**
   * Flux API generation whose kinds are known; the others are refused.
   * @default 'v1beta2' (what Flux v0.25.3 serves on Kubernetes 1.18)
   */
  readonly fluxApi?: FluxApi;
}

/** Problems of one rendered object: its strict schema, plus what schemas do not say (names). Empty when valid. */
export function objectProblems(object: any, options: CheckOptions = {}): string[] {
  const fluxApi = options.fluxApi ?? 'v1beta2';
  const key = `${object?.apiVersion}/${object?.kind}`;
  const known = schemas(fluxApi);
  if (!known[key]) return [`no schema for ${key}`];
  // Compiled once per kind: every generation shares the DaemonSet's and the ApplicationSet's.
  const validate = validator(key, known[key]);
  const problems = validate(object) ? [] : messages(validate.errors).map((message) => `schema: ${message}`);
  const name = object.metadata?.name;
  if (typeof name !== 'string' || !DNS1123_SUBDOMAIN.test(name)) problems.push(`metadata.name ${JSON.stringify(name)} is not a DNS-1123 subdomain`);
  const namespace = object.metadata?.namespace;
  if (typeof namespace !== 'string' || !DNS1123_LABEL.test(namespace)) problems.push(`metadata.namespace ${JSON.stringify(namespace)} is not a DNS-1123 label`);
  return problems;
}

/** Problems of one kustomization.yaml, per kustomize version that reads it: reader -> problems. */
export function kustomizationProblems(data: unknown): Record<string, string[]> {
  return Object.fromEntries(
    Object.entries(KUSTOMIZE_SCHEMAS).map(([reader, schema]) => {
      const validate = validator(`kustomize ${reader}`, () => schema);
      return [reader, validate(data) ? [] : messages(validate.errors)];
    }),
  );
}
