import { App } from 'cdk8s';
import { WeaveMesh, WeaveMeshProps } from './constructs/weave-mesh';
import { runCli } from './src/cli';
import { MeshSpec } from './src/mesh/model';

/** Mesh-wide settings: everything about the mesh that is not in the inventory. */
export const settings: Omit<WeaveMeshProps, 'mesh'> = {
  routeAgent: {
    intervalSeconds: 10,
  },
  gitops: {
    // The repository this output is committed to, as Argo CD and Flux clone it.
    repoURL: 'https://github.com/example-org/weave-mesh.git',
    revision: 'main',
    pathPrefix: 'dist',
    tools: ['argocd', 'flux'],
  },
};

/** The cdk8s app: one WeaveMesh built from the validated inventory. */
export function buildMesh(mesh: MeshSpec): WeaveMesh {
  return new WeaveMesh(new App(), 'weave-mesh', { mesh, ...settings });
}

/** The command line: `synth`, `check`, `plan` or `allocate`; returns the exit code. */
export function main(argv: readonly string[]): number {
  return runCli(argv, buildMesh);
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2));
}
