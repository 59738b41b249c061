#!/usr/bin/env node
/**
 * Compares the strict schemas of test/schemas with the upstream CRDs they were written from, field
 * by field (names, types, enums, patterns, length limits, required fields), and prints every
 * difference; exit 1 if there is one. Not part of `npm test`: it needs git checkouts (bare or not)
 * of the upstream repositories, which this project does not carry.
 *
 *   node scripts/verify-schemas.mjs --source-controller DIR --kustomize-controller DIR --argo-cd DIR
 *
 * Checked: Flux GitRepository v1beta1 (source-controller v0.20.1) and v1 (v1.0.0), Kustomization
 * v1beta2 (kustomize-controller v0.19.1) and v1 (v1.0.0) against test/schemas/flux.ts; Argo CD's
 * ApplicationSet CRD at v2.8.0 against the schema test/schemas/argo-cd.ts takes from the npm package.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import * as esbuild from 'esbuild';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const { parse } = require('yaml');

function option(name) {
  const at = process.argv.indexOf(`--${name}`);
  if (at < 0 || !process.argv[at + 1]) {
    console.error(`usage: node scripts/verify-schemas.mjs --source-controller DIR --kustomize-controller DIR --argo-cd DIR (missing --${name})`);
    process.exit(2);
  }
  return process.argv[at + 1];
}

/** The file at a tag of a git checkout, bare or not. */
function show(repo, tag, file) {
  const gitDir = fs.existsSync(path.join(repo, '.git')) ? path.join(repo, '.git') : repo;
  return execFileSync('git', ['--git-dir', gitDir, 'show', `${tag}:${file}`], { encoding: 'utf8', maxBuffer: 64 << 20 });
}

/** Loads a TypeScript module of test/schemas, compiled on the fly. */
function load(file) {
  const { outputFiles } = esbuild.buildSync({ entryPoints: [path.join(root, file)], bundle: true, platform: 'node', format: 'cjs', write: false, external: ['yaml'] });
  const module = { exports: {} };
  new Function('module', 'exports', 'require', outputFiles[0].text)(module, module.exports, require);
  return module.exports;
}

/** Drops what does not decide validity here (defaults, formats) and sorts, so that two schemas compare as text. */
function normal(schema) {
  if (Array.isArray(schema)) return schema.map(normal);
  if (schema === null || typeof schema !== 'object') return schema;
  const out = {};
  for (const key of Object.keys(schema).sort()) {
    if (key === 'default' || key === 'format') continue;
    out[key] = key === 'required' ? [...schema[key]].sort() : normal(schema[key]);
  }
  return out;
}

function differences(want, got, at = 'spec') {
  if (JSON.stringify(want) === JSON.stringify(got)) return [];
  if (!want || !got || typeof want !== 'object' || typeof got !== 'object' || Array.isArray(want)) {
    return [`${at}: upstream ${JSON.stringify(want)?.slice(0, 200)}, ours ${JSON.stringify(got)?.slice(0, 200)}`];
  }
  const keys = [...new Set([...Object.keys(want), ...Object.keys(got)])];
  return keys.flatMap((key) => differences(want[key], got[key], `${at}.${key}`));
}

const { strictFromOpenApi } = load('test/schemas/json-schema.ts');
const { FLUX_SCHEMAS } = load('test/schemas/flux.ts');
const crdSpec = (text, version) => parse(text).spec.versions.find((entry) => entry.name === version).schema.openAPIV3Schema.properties.spec;

const checks = [];
const repos = { GitRepository: option('source-controller'), Kustomization: option('kustomize-controller') };
const files = {
  GitRepository: 'config/crd/bases/source.toolkit.fluxcd.io_gitrepositories.yaml',
  Kustomization: 'config/crd/bases/kustomize.toolkit.fluxcd.io_kustomizations.yaml',
};
for (const kinds of Object.values(FLUX_SCHEMAS)) {
  for (const kind of kinds) {
    const [, tag] = kind.source.split(' ');
    const version = kind.apiVersion.split('/')[1];
    checks.push([kind.source, strictFromOpenApi(crdSpec(show(repos[kind.kind], tag, files[kind.kind]), version)), kind.spec]);
  }
}
const argo = option('argo-cd');
const { applicationSetSpec } = load('test/schemas/argo-cd.ts');
checks.push(['argoproj/argo-cd v2.8.0 manifests/crds/applicationset-crd.yaml v1alpha1', strictFromOpenApi(crdSpec(show(argo, 'v2.8.0', 'manifests/crds/applicationset-crd.yaml'), 'v1alpha1')), applicationSetSpec()]);

let failed = false;
for (const [source, upstream, ours] of checks) {
  const found = differences(normal(upstream), normal(ours));
  console.log(`${found.length === 0 ? 'same' : 'DIFFERENT'}: ${source}`);
  for (const line of found) console.log(`  ${line}`);
  failed ||= found.length > 0;
}
process.exitCode = failed ? 1 : 0;
