import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import { OutputTree } from './tree';

/**
 * Running under the cdk8s CLI (`cdk8s synth`). The CLI deletes its output folder before it runs the
 * app, and with `--stdout` it synthesises into a temporary folder and prints every `*.yaml` there.
 * So weave-mesh's `cdk8s.yaml` names a scratch folder as `output:`, never the committed tree: the app
 * writes the Kubernetes objects into `CDK8S_OUTDIR` for the CLI, and the tree (with the `flux-system/`
 * folders that must survive) into its own output folder itself, and only on a real synth.
 */
export interface Cdk8sRun {
  /** `CDK8S_OUTDIR`: where the CLI expects the Kubernetes objects. */
  readonly objectsOutdir: string;
  /** True when that is the scratch `output:` of `cdk8s.yaml`: a real synth, not `--stdout` or `--output`. */
  readonly writesTree: boolean;
}

/** How the cdk8s CLI runs this process, or undefined when it does not. */
export function cdk8sRun(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Cdk8sRun | undefined {
  const objectsOutdir = env.CDK8S_OUTDIR;
  if (!objectsOutdir) return undefined;
  let configured: string | undefined;
  try {
    const output = parse(fs.readFileSync(path.join(cwd, 'cdk8s.yaml'), 'utf8'))?.output;
    if (typeof output === 'string') configured = path.resolve(cwd, output);
  } catch {
    configured = undefined;
  }
  return { objectsOutdir, writesTree: configured !== undefined && configured === path.resolve(cwd, objectsOutdir) };
}

/** The Kubernetes objects of a tree: the files the cdk8s CLI prints and lists (not kustomization.yaml, the Pharos config or the overview). */
export function kubernetesObjects(tree: OutputTree): [string, string][] {
  return [...tree.entries()].filter(([file]) => file.endsWith('.yaml') && !file.endsWith('kustomization.yaml'));
}

/** The one file the app gives the cdk8s CLI. */
export const CDK8S_OBJECTS_FILE = 'weave-mesh.k8s.yaml';

/**
 * Writes the tree's Kubernetes objects into the CLI's folder as one multi-document file. One file,
 * because `cdk8s synth --stdout` pipes each file into its standard output with the default
 * `end: true`: the first file to finish closes the stream and the objects of later files are lost.
 */
export function writeObjects(outdir: string, tree: OutputTree): void {
  fs.mkdirSync(outdir, { recursive: true });
  fs.writeFileSync(path.join(outdir, CDK8S_OBJECTS_FILE), kubernetesObjects(tree).map(([, content]) => content).join('---\n'));
}
