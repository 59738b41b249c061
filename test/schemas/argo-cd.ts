/**
 * Argo CD's ApplicationSet schema at v2.8.0, strict.
 *
 * Taken from the npm package @kubernetes-models/argo-cd@2.4.0 (MIT; a devDependency pinned to
 * that version), whose models were generated from argoproj/argo-cd tag v2.8.4,
 * `manifests/crds/applicationset-crd.yaml` (its package.json `crd-generate.input`; changelog
 * "Update CRD version to v2.8.4"). That file is the same at v2.8.0 and v2.8.4 (`git diff v2.8.0
 * v2.8.4 -- manifests/crds/applicationset-crd.yaml` is empty), and `node scripts/verify-schemas.mjs`
 * compares the schema below with v2.8.0's CRD field by field. Argo CD is Apache-2.0.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Schema, strictFromOpenApi } from './json-schema';

export const ARGO_CD_PACKAGE = '@kubernetes-models/argo-cd';

/** The JSON Schema the package validates an ApplicationSet with, as it ships it. */
function packagedSchema(): Schema {
  const file = path.join(path.dirname(require.resolve(`${ARGO_CD_PACKAGE}/package.json`)), 'argoproj.io', 'v1alpha1', 'ApplicationSet.js');
  const text = fs.readFileSync(file, 'utf8');
  const start = text.indexOf('const schema = ');
  const end = text.indexOf('};\nclass ApplicationSet');
  if (start < 0 || end < 0) throw new Error(`${file}: no schema found; is ${ARGO_CD_PACKAGE} still at 2.4.0?`);
  return JSON.parse(text.slice(start + 'const schema = '.length, end + 1));
}

/** The schema of an ApplicationSet's `spec`, strict. */
export function applicationSetSpec(): Schema {
  const schema = packagedSchema() as { properties: { spec: unknown } };
  return strictFromOpenApi(schema.properties.spec);
}

/** The installed package's version: the tests refuse another one, whose CRDs would be another Argo CD's. */
export function argoCdPackageVersion(): string {
  return JSON.parse(fs.readFileSync(require.resolve(`${ARGO_CD_PACKAGE}/package.json`), 'utf8')).version;
}
