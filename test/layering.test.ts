import * as fs from 'fs';
import * as path from 'path';
import { REPO } from './helpers';

/**
 * The folders are the pipeline, and dependencies point one way along it:
 *   src/util (helpers of no domain) <- src/net, src/mesh (the model's shapes and rules) <- src/inventory (the YAML front-end)
 *   src/output (trees: render helpers, write, compare, plan) <- constructs/ (the cdk8s model)
 *   <- src/commands, src/cli (the thin command layer) <- main.ts, index.ts; src/status (the agents' status, through kubectl) <- src/commands.
 */
const LAYERS: Record<string, string[]> = {
  'src/util': [],
  'src/net': ['src/util'],
  'src/mesh': ['src/util', 'src/net'],
  'src/inventory': ['src/util', 'src/net', 'src/mesh'],
  'src/output': ['src/util', 'src/net', 'src/mesh'],
  constructs: ['src/util', 'src/net', 'src/mesh', 'src/output'],
  // Collecting the agents' status from the clusters (kubectl), and showing it.
  'src/status': ['src/util'],
  'src/commands': ['src/util', 'src/net', 'src/mesh', 'src/inventory', 'src/output', 'src/status', 'constructs'],
};

function imports(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  return [...text.matchAll(/^(?:import|export)[^'"]*from '(\.[^']+)'/gm)].map((match) => path.relative(REPO, path.resolve(path.dirname(file), match[1])));
}

function layerOf(relative: string): string | undefined {
  return Object.keys(LAYERS).find((layer) => relative === layer || relative.startsWith(`${layer}/`));
}

describe.each(Object.entries(LAYERS))('%s', (layer, allowed) => {
  const files = fs.readdirSync(path.join(REPO, layer)).filter((file) => file.endsWith('.ts'));
  it.each(files)('%s imports only from its own folder and the layers before it', (file) => {
    const foreign = imports(path.join(REPO, layer, file)).filter((target) => {
      const targetLayer = layerOf(target);
      return targetLayer !== layer && !(targetLayer && allowed.includes(targetLayer));
    });
    expect(foreign).toEqual([]);
  });
});
