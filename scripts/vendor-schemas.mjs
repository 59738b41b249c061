#!/usr/bin/env node
/**
 * Writes test/schemas/kubernetes-1.18.json: the Kubernetes 1.18 API definitions of every kind
 * weave-mesh renders (today apps/v1 DaemonSet) and everything they reach, as a strict JSON Schema
 * (draft-07) for ajv: unknown fields are refused everywhere (`additionalProperties: false`),
 * required fields are required, int-or-string and quantity fields take both forms.
 *
 * Source: the npm package @kubernetes/client-node@0.12.3 (Apache-2.0), whose generated models
 * state "The version of the OpenAPI document: v1.18.0" (`dist/gen/model/*.js`: each model's
 * `attributeTypeMap`, the JSON name and type of every field; `dist/gen/model/*.d.ts`: which fields
 * are optional). It is fetched with `npm pack`, the registry's ordinary client, into a temporary
 * folder, so nothing of it is installed into this project.
 *
 * The models type every number as `number`; which ones are integers is taken from the JSON schemas
 * of the npm package kubernetes-models@1.0.0 (MIT; Kubernetes 1.19.2's swagger, `_schemas/*.js`),
 * fetched the same way: Kubernetes never changes the type of a field within an API version, so a
 * field that is an integer in 1.19 was one in 1.18. Only the type is taken from there, never a field:
 * the script lists the fields 1.19.2 has and 1.18 lacks, as a check that the models are 1.18's.
 *
 * Usage: node scripts/vendor-schemas.mjs [--check]   (--check: exit 1 if the committed file differs)
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const PACKAGE = '@kubernetes/client-node@0.12.3';
const ROOTS = ['V1DaemonSet'];
const OUT = path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'test', 'schemas', 'kubernetes-1.18.json');

/**
 * The generated models type these fields as `object`: in the 1.18 swagger the three ports and
 * maxUnavailable are `io.k8s.apimachinery.pkg.util.intstr.IntOrString` (format int-or-string) and
 * fieldsV1 is `io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1` (any JSON object). Any other `object`
 * field stops the script: it must be looked up and listed here.
 */
const OBJECT_FIELDS = {
  'V1HTTPGetAction.port': 'intOrString',
  'V1TCPSocketAction.port': 'intOrString',
  'V1RollingUpdateDaemonSet.maxUnavailable': 'intOrString',
  'V1ManagedFieldsEntry.fieldsV1': 'anyObject',
};

/**
 * Fields of type `io.k8s.apimachinery.pkg.api.resource.Quantity` in the 1.18 swagger, which the
 * models flatten to string: the API server also takes a JSON number there (`cpu: 1`).
 */
const QUANTITY_FIELDS = ['V1ResourceRequirements.limits', 'V1ResourceRequirements.requests', 'V1PodSpec.overhead', 'V1EmptyDirVolumeSource.sizeLimit', 'V1ResourceFieldSelector.divisor'];

const INT_OR_STRING = { anyOf: [{ type: 'integer' }, { type: 'string' }] };
const QUANTITY = { anyOf: [{ type: 'string' }, { type: 'number' }] };

const TYPES_PACKAGE = 'kubernetes-models@1.0.0';

/** Unpacks an npm package into a folder of `dir`; returns that folder. */
function unpack(dir, spec) {
  const into = path.join(dir, spec.replace(/\W/g, '_'));
  fs.mkdirSync(into);
  const tarball = execFileSync('npm', ['pack', spec, '--silent', '--pack-destination', into], { encoding: 'utf8' }).trim().split('\n').pop();
  execFileSync('tar', ['-xzf', path.join(into, tarball), '-C', into]);
  return path.join(into, 'package');
}

/** The 1.19.2 JSON schema of a definition, found by the model's name (V1ContainerPort -> IoK8sApiCoreV1ContainerPort). */
function schema119(schemas, name) {
  const files = fs.readdirSync(schemas).filter((file) => file.endsWith(`${name}.js`) && /^IoK8s(Api|Apimachinery)[A-Z]/.test(file));
  const exact = files.filter((file) => new RegExp(`^IoK8s(Api[A-Z][a-z]+|ApimachineryPkgApisMeta|ApimachineryPkgApis|ApimachineryPkgUtilIntstr)${name}\\.js$`).test(file));
  if (exact.length !== 1) throw new Error(`${name}: ${exact.length} matching 1.19.2 schemas (${files.join(', ')})`);
  const js = fs.readFileSync(path.join(schemas, exact[0]), 'utf8');
  return JSON.parse(js.slice(js.indexOf('const schema = ') + 'const schema = '.length, js.indexOf('};\nfunction addSchema') + 1));
}

function modelFile(models, name, ext) {
  return path.join(models, `${name[0].toLowerCase()}${name.slice(1)}.${ext}`);
}

/** The model's fields: [{ name, baseName, type }], as its generated JavaScript lists them. */
function attributes(models, name) {
  const js = fs.readFileSync(modelFile(models, name, 'js'), 'utf8');
  const found = js.match(new RegExp(`${name}\\.attributeTypeMap = (\\[[\\s\\S]*?\\]);`));
  if (!found) throw new Error(`${name}: no attributeTypeMap`);
  return JSON.parse(found[1]);
}

/** The fields the declaration file declares without `?`: the swagger's required fields. */
function requiredFields(models, name) {
  const dts = fs.readFileSync(modelFile(models, name, 'd.ts'), 'utf8');
  return [...dts.matchAll(/^ {4}'([^']+)'(\??):/gm)].filter((match) => match[2] === '').map((match) => match[1]);
}

function typeSchema(type, where, pending) {
  const array = type.match(/^Array<(.+)>$/);
  if (array) return { type: 'array', items: typeSchema(array[1], where, pending) };
  const map = type.match(/^\{ \[key: string\]: (.+); \}$/);
  if (map) return { type: 'object', additionalProperties: typeSchema(map[1], where, pending) };
  switch (type) {
    case 'string':
      return { type: 'string' };
    case 'number':
      return { type: 'number' };
    case 'boolean':
      return { type: 'boolean' };
    case 'Date':
      return { type: 'string', format: 'date-time' };
    case 'object': {
      const kind = OBJECT_FIELDS[where];
      if (kind === 'intOrString') return INT_OR_STRING;
      if (kind === 'anyObject') return { type: 'object' };
      throw new Error(`${where} is typed object: look it up in the 1.18 swagger and add it to OBJECT_FIELDS`);
    }
    default:
      if (!/^V\d\w+$/.test(type)) throw new Error(`${where}: unknown type ${type}`);
      pending.push(type);
      return { $ref: `#/definitions/${type}` };
  }
}

function build(models, schemas, newer) {
  const definitions = {};
  const pending = [...ROOTS];
  while (pending.length > 0) {
    const name = pending.shift();
    if (definitions[name]) continue;
    const properties = {};
    for (const attribute of attributes(models, name)) {
      const where = `${name}.${attribute.name}`;
      properties[attribute.baseName] = QUANTITY_FIELDS.includes(where) ? (attribute.type.startsWith('{') ? { type: 'object', additionalProperties: QUANTITY } : QUANTITY) : typeSchema(attribute.type, where, pending);
    }
    const later = schema119(schemas, name).properties ?? {};
    for (const [field, property] of Object.entries(properties)) {
      if (property.type !== 'number') continue;
      const type = later[field]?.type;
      if (type !== 'integer' && type !== 'number') throw new Error(`${name}.${field}: 1.19.2 types it ${type}`);
      property.type = type;
    }
    for (const field of Object.keys(later)) if (!properties[field]) newer.push(`${name}.${field}`);
    const required = requiredFields(models, name).map((field) => attributes(models, name).find((attribute) => attribute.name === field).baseName);
    definitions[name] = { type: 'object', properties, ...(required.length > 0 ? { required } : {}), additionalProperties: false };
  }
  for (const where of [...Object.keys(OBJECT_FIELDS), ...QUANTITY_FIELDS]) {
    const [model, field] = where.split('.');
    if (!definitions[model]?.properties[field]) throw new Error(`${where} is listed but not found`);
  }
  const sorted = Object.fromEntries(
    Object.keys(definitions)
      .sort()
      .map((name) => [name, definitions[name]]),
  );
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $comment: `Kubernetes 1.18 API, generated by scripts/vendor-schemas.mjs from ${PACKAGE} (integer types: ${TYPES_PACKAGE}); see README.md here`,
    definitions: sorted,
  };
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vendor-schemas-'));
try {
  const models = path.join(unpack(dir, PACKAGE), 'dist', 'gen', 'model');
  const schemas = path.join(unpack(dir, TYPES_PACKAGE), '_schemas');
  const newer = [];
  const text = `${JSON.stringify(build(models, schemas, newer), null, 1)}\n`;
  console.log(`fields of Kubernetes 1.19.2 that the 1.18 models lack: ${newer.join(', ')}`);
  if (process.argv.includes('--check')) {
    if (fs.readFileSync(OUT, 'utf8') !== text) {
      console.error(`${path.relative(process.cwd(), OUT)} differs from what ${PACKAGE} gives: run node scripts/vendor-schemas.mjs`);
      process.exitCode = 1;
    }
  } else {
    fs.mkdirSync(path.dirname(OUT), { recursive: true });
    fs.writeFileSync(OUT, text);
    console.log(`wrote ${path.relative(process.cwd(), OUT)}`);
  }
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
